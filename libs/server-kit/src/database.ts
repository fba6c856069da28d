import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import { z } from 'zod';

/**
 * Where a service keeps its records: an embedded SQLite file (default, WAL) or PostgreSQL (production).
 * The same migrations run on both; `synchronize` is never used.
 */
export const databaseConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('sqlite'),
    /** Database file; its directory is created if needed. */
    path: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('postgres'),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(5432),
    database: z.string().min(1),
    username: z.string().min(1),
    /** Password, read from this file (never inline). */
    passwordFile: z.string().min(1).optional(),
    /** Verify the server's certificate against this CA; TLS is used when set. */
    caFile: z.string().min(1).optional(),
    poolSize: z.number().int().min(1).max(100).default(10),
  }),
]);

export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Migration = string | Function;

/** Opens a data source and runs pending migrations (each in its own transaction). */
export async function openDataSource(
  config: DatabaseConfig,
  entities: MixedList<string | (new () => unknown) | EntitySchema>,
  migrations: Migration[],
): Promise<DataSource> {
  const common = { entities, migrations, synchronize: false, migrationsRun: false, logging: false } as const;
  let options: DataSourceOptions;
  if (config.type === 'sqlite') {
    mkdirSync(dirname(config.path), { recursive: true, mode: 0o700 });
    options = {
      ...common,
      type: 'better-sqlite3',
      database: config.path,
      // WAL: readers do not block the writer; FULL sync: an acknowledged write survives a crash.
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        db.pragma('busy_timeout = 5000');
      },
    };
  } else {
    options = {
      ...common,
      type: 'postgres',
      host: config.host,
      port: config.port,
      database: config.database,
      username: config.username,
      ...(config.passwordFile !== undefined
        ? { password: readFileSync(config.passwordFile, 'utf8').trim() }
        : {}),
      ...(config.caFile !== undefined
        ? { ssl: { ca: readFileSync(config.caFile, 'utf8'), rejectUnauthorized: true } }
        : {}),
      extra: { max: config.poolSize },
    };
  }
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  if (config.type === 'sqlite') restrictToOwner(config.path);
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/**
 * A SQLite database holds accounts, sessions and the audit trail: its file and its WAL/shared-memory companions
 * are readable by the service's user only, whatever the umask was when an older version created them.
 */
function restrictToOwner(databasePath: string): void {
  for (const file of [databasePath, `${databasePath}-wal`, `${databasePath}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
