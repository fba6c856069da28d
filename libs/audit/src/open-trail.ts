import { z } from 'zod';
import { databaseConfigSchema, openDataSource, type Clock } from '@conclave/server-kit';
import { AUDIT_ENTITIES } from './audit.entities';
import { AuditStore } from './audit-store';
import { CheckpointKey } from './checkpoint-key';
import { AUDIT_MIGRATIONS } from './migrations';

/**
 * Where a service finds the appliance's one audit trail: the room-control service's database and checkpoint
 * key. Every service that records security events points its `audit.trail` here.
 */
export const auditTrailConfigSchema = z.strictObject({
  database: databaseConfigSchema,
  keyFile: z.string().min(1),
  checkpointEvery: z.number().int().min(1).max(100_000).default(100),
  checkpointIntervalSeconds: z.number().int().min(0).max(86_400).default(300),
});

export type AuditTrailConfig = z.infer<typeof auditTrailConfigSchema>;

export interface OpenedAuditTrail {
  store: AuditStore;
  close(): Promise<void>;
}

/** Opens the shared hash-chained trail; appenders of every service are serialised by the store itself. */
export async function openAuditTrail(
  trail: AuditTrailConfig,
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
