import { after, before } from 'node:test';
import { startPostgres, type PostgresFixture } from '@conclave/testing';
import { startAuthFixture } from './support/auth-fixture';
import { coreScenarios } from './support/core-scenarios';

let pg: PostgresFixture;
let databases = 0;

before(async () => {
  pg = await startPostgres('auth_base');
});
after(() => pg.stop());

coreScenarios('PostgreSQL', async (options) => {
  const database = `auth_${++databases}`;
  await pg.createDatabase(database);
  return startAuthFixture({
    ...options,
    database: {
      type: 'postgres',
      host: pg.host,
      port: pg.port,
      username: pg.username,
      database,
      poolSize: 5,
    },
  });
});
