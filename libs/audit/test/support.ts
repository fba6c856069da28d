import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openDataSource, type DatabaseConfig } from '@conclave/server-kit';
import { startPostgres, type PostgresFixture } from '@conclave/testing';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS } from '../src';

/** The two engines every audit test runs on. */
export interface Engine {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated database. */
  open(label: string): Promise<{ dataSource: DataSource; config: DatabaseConfig }>;
  /** Opens another connection to the same database. */
  reopen(config: DatabaseConfig): Promise<DataSource>;
  stop(): Promise<void>;
}

export async function sqliteEngine(): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-audit-'));
  return {
    name: 'sqlite',
    async open(label) {
      const config: DatabaseConfig = { type: 'sqlite', path: join(dir, `${label}.db`) };
      return { dataSource: await openDataSource(config, AUDIT_ENTITIES, AUDIT_MIGRATIONS), config };
    },
    reopen: (config) => openDataSource(config, AUDIT_ENTITIES, AUDIT_MIGRATIONS),
    async stop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresEngine(): Promise<Engine> {
  const pg: PostgresFixture = await startPostgres('audit_base');
  return {
    name: 'postgres',
    async open(label) {
      const database = `audit_${label.replace(/[^a-z0-9]/g, '_')}`;
      await pg.createDatabase(database);
      const config: DatabaseConfig = {
        type: 'postgres',
        host: pg.host,
        port: pg.port,
        database,
        username: pg.username,
        poolSize: 5,
      };
      return { dataSource: await openDataSource(config, AUDIT_ENTITIES, AUDIT_MIGRATIONS), config };
    },
    reopen: (config) => openDataSource(config, AUDIT_ENTITIES, AUDIT_MIGRATIONS),
    stop: () => pg.stop(),
  };
}
