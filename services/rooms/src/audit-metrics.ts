import { Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Clock } from '@conclave/server-kit';
import { AuditCheckpointRow, AuditEntryRow, type AuditStore, type VerifyResult } from './audit-lib';

/** A verification of the whole chain is reused for this long: scrapes every 15 s do not re-read the trail. */
export const AUDIT_VERIFY_MAX_AGE_MS = 60_000;

/**
 * `conclave_rooms_audit_*`: the audit trail's state for the AuditChainBroken and AuditCheckpointOverdue alerts
 * (deploy/monitoring/alerts/rooms.yml). Counts and times only, never an entry's content.
 */
export function registerAuditMetrics(
  registry: Registry,
  dataSource: DataSource,
  audit: AuditStore,
  clock: Clock,
): void {
  const registers = [registry];
  let last: { at: number; result: VerifyResult } | undefined;
  let running: Promise<VerifyResult> | undefined;
  const verified = async (): Promise<VerifyResult> => {
    if (last !== undefined && clock.now() - last.at < AUDIT_VERIFY_MAX_AGE_MS) return last.result;
    running ??= audit
      .verify()
      .then((result) => {
        last = { at: clock.now(), result };
        return result;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const heads = async () => {
    const manager = dataSource.manager;
    const [entry, checkpoint] = await Promise.all([
      manager.findOne(AuditEntryRow, { where: {}, order: { sequence: 'DESC' } }),
      manager.findOne(AuditCheckpointRow, { where: {}, order: { sequence: 'DESC' } }),
    ]);
    return { entry, checkpoint };
  };

  new Gauge({
    name: 'conclave_rooms_audit_chain_intact',
    help: 'Whether the last verification of the audit hash chain and its signed checkpoints succeeded (1) or found a broken entry (0)',
    registers,
    async collect() {
      if (dataSource.isInitialized) this.set((await verified()).ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'conclave_rooms_audit_entries_unsealed',
    help: 'Audit entries written after the last signed checkpoint',
    registers,
    async collect() {
      if (!dataSource.isInitialized) return;
      const { entry, checkpoint } = await heads();
      this.set(entry === null ? 0 : Number(entry.sequence) - Number(checkpoint?.sequence ?? 0));
    },
  });
  new Gauge({
    name: 'conclave_rooms_audit_last_checkpoint_timestamp_seconds',
    help: 'Time of the last signed audit checkpoint (before the first one: of the first entry), Unix seconds',
    registers,
    async collect() {
      if (!dataSource.isInitialized) return;
      const { checkpoint } = await heads();
      const since =
        checkpoint ??
        (await dataSource.manager.findOne(AuditEntryRow, { where: {}, order: { sequence: 'ASC' } }));
      this.set(since === null ? clock.now() / 1000 : Number(since.atMs) / 1000);
    },
  });
}
