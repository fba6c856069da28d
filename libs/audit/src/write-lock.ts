import type { DataSource, EntityManager } from 'typeorm';

/** Key of the PostgreSQL transaction-level advisory lock every audit appender takes ("CNCL" "AUDT"). */
const PG_ADVISORY_LOCK = [0x434e434c, 0x41554454] as const;

const tails = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in a database transaction that no other writer of this data source runs alongside: SQLite has a
 * single writer and TypeORM's better-sqlite3 driver a single connection, so in-process writers queue here; on
 * PostgreSQL the transaction also takes an advisory lock, which serialises audit appenders across processes
 * (the auth and rooms services share one trail).
 */
export function serialisedTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const previous = tails.get(dataSource) ?? Promise.resolve();
  const run = previous.then(
    () => transactionWithRetry(dataSource, work),
    () => transactionWithRetry(dataSource, work),
  );
  tails.set(
    dataSource,
    run.catch(() => undefined),
  );
  return run;
}

async function transactionWithRetry<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const postgres = dataSource.options.type === 'postgres';
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(async (manager) => {
        if (postgres) await manager.query('SELECT pg_advisory_xact_lock($1, $2)', [...PG_ADVISORY_LOCK]);
        return work(manager);
      });
    } catch (error) {
      // Another process (sharing the SQLite file) wrote between our read and our write: start again.
      if (attempt >= 5 || !isWriteConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
  }
}

function isWriteConflict(error: unknown): boolean {
  const code =
    (error as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ??
    (error as { code?: unknown }).code;
  return (
    typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}
