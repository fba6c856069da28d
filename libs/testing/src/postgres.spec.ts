import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from 'pg';
import { startPostgres } from './postgres';

test('startPostgres() runs a private server that accepts queries and is gone after stop()', async () => {
  const pg = await startPostgres('fixture_check');
  const client = new Client({ host: pg.host, port: pg.port, user: pg.username, database: pg.database });
  await client.connect();
  const { rows } = await client.query<{ v: string }>('SELECT current_database() AS v');
  assert.equal(rows[0]!.v, 'fixture_check');
  await client.end();
  await pg.stop();
  const after = new Client({
    host: pg.host,
    port: pg.port,
    user: pg.username,
    database: pg.database,
    connectionTimeoutMillis: 1000,
  });
  await assert.rejects(after.connect());
});
