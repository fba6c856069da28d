import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditStore, CheckpointKey } from '@conclave/audit';
import { openDataSource, type Clock } from '@conclave/server-kit';
import type { AuthConfig } from './config';

export interface OpenedAuditTrail {
  store: AuditStore;
  close(): Promise<void>;
}

/**
 * Opens the appliance's one audit trail for the auth service's events (sign-ins, locks, 2FA, token reuse…): the
 * same hash-chained store, database and checkpoint key as the room-control service. Appenders of both services
 * are serialised by the store itself.
 */
export async function openAuditTrail(
  trail: NonNullable<AuthConfig['audit']['trail']>,
  recordSourceIp: boolean,
  clock?: Clock,
): Promise<OpenedAuditTrail> {
  const dataSource = await openDataSource(trail.database, [...AUDIT_ENTITIES], [...AUDIT_MIGRATIONS]);
  const store = new AuditStore(dataSource, {
    key: CheckpointKey.loadOrCreate(trail.keyFile),
    checkpointEvery: trail.checkpointEvery,
    checkpointIntervalMs: trail.checkpointIntervalSeconds * 1000,
    recordSourceIp,
    ...(clock !== undefined ? { clock } : {}),
  });
  store.start();
  return {
    store,
    async close() {
      store.stop();
      await dataSource.destroy();
    },
  };
}
