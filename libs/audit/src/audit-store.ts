import type { DataSource, EntityManager } from 'typeorm';
import { LessThan, MoreThan } from 'typeorm';
import { systemClock, type AuditEvent, type AuditSink, type Clock } from '@conclave/server-kit';
import { AuditCheckpointRow, AuditEntryRow } from './audit.entities';
import { checkpointMessage, GENESIS_HASH, hashEntry, toRecord, type AuditRecord } from './audit-record';
import { canonicalJson } from './canonical-json';
import type { CheckpointKey } from './checkpoint-key';
import { formatJsonLine, formatSyslog, type SyslogFormatOptions } from './formats';
import { serialisedTransaction } from './write-lock';

export interface AuditStoreOptions {
  /** Signs checkpoints (and verifies them). */
  key: CheckpointKey;
  clock?: Clock;
  /** A checkpoint every this many entries. */
  checkpointEvery?: number;
  /** And at most this long after the last entry (0: only by count). */
  checkpointIntervalMs?: number;
  /** Keep the source address of events; off by default (data minimisation). */
  recordSourceIp?: boolean;
}

export type VerifyProblem = 'altered' | 'removed' | 'reordered' | 'bad-checkpoint';

export interface VerifyResult {
  ok: boolean;
  /** Entries checked. */
  entries: number;
  /** First sequence held (earlier ones were purged under retention, after a signed checkpoint). */
  firstSequence?: number;
  lastSequence?: number;
  checkpoints: number;
  /** The first entry found wrong, and how. */
  firstBad?: { sequence: number; problem: VerifyProblem; detail: string };
}

/** Where an export goes, one formatted line at a time. */
export interface AuditExportSink {
  write(line: string): Promise<void>;
}

export type ExportFormat = 'jsonl' | 'syslog';

const PAGE = 1000;
const LIMITS = {
  action: 128,
  outcome: 16,
  actor: 256,
  target: 256,
  reason: 128,
  sourceIp: 64,
  detailValue: 512,
};

/**
 * The appliance's tamper-evident audit trail: an append-only chain where each entry carries the SHA-256 of the
 * previous one and its own sequence number, with periodic checkpoints signed by the service's Ed25519 key.
 * Altering, removing or reordering an entry in the database breaks the chain at that entry; rewriting the chain
 * from some point on breaks the next signed checkpoint.
 */
export class AuditStore implements AuditSink {
  private readonly clock: Clock;
  private readonly checkpointEvery: number;
  private readonly recordSourceIp: boolean;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: AuditStoreOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.checkpointEvery = options.checkpointEvery ?? 100;
    this.recordSourceIp = options.recordSourceIp ?? false;
  }

  /** Starts the time-based checkpoints. */
  start(): void {
    const interval = this.options.checkpointIntervalMs ?? 60_000;
    if (interval > 0 && this.timer === undefined) {
      this.timer = setInterval(() => void this.checkpoint().catch(() => undefined), interval);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Appends one event in its own transaction. */
  async record(event: AuditEvent): Promise<void> {
    await serialisedTransaction(this.dataSource, (manager) => this.append(manager, event));
  }

  /**
   * Appends inside a transaction the caller opened with `serialisedTransaction`, so a change and its audit entry
   * are committed together or not at all.
   */
  async append(manager: EntityManager, event: AuditEvent): Promise<AuditRecord> {
    const head = (await this.head(manager)) ?? (await this.purgeAnchor(manager));
    const sequence = head === undefined ? 1 : Number(head.sequence) + 1;
    const row = {
      sequence,
      atMs: this.clock.now(),
      action: clip(event.action, LIMITS.action),
      outcome: event.outcome === 'success' ? 'success' : 'failure',
      actor: clip(event.actor, LIMITS.actor),
      target: event.target !== undefined ? clip(event.target, LIMITS.target) : null,
      reason: event.reason !== undefined ? clip(event.reason, LIMITS.reason) : null,
      details:
        event.details !== undefined && Object.keys(event.details).length > 0
          ? canonicalJson(clipDetails(event.details))
          : null,
      sourceIp:
        this.recordSourceIp && event.sourceIp !== undefined ? clip(event.sourceIp, LIMITS.sourceIp) : null,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    const entry = manager.create(AuditEntryRow, { ...row, hash: hashEntry(row) });
    await manager.insert(AuditEntryRow, entry);
    if (sequence % this.checkpointEvery === 0) await this.writeCheckpoint(manager, sequence, entry.hash);
    return toRecord(entry);
  }

  /** Signs the current head now, unless it already is. */
  async checkpoint(): Promise<void> {
    await serialisedTransaction(this.dataSource, async (manager) => {
      const head = await this.head(manager);
      if (head === undefined) return;
      const existing = await manager.findOneBy(AuditCheckpointRow, { sequence: Number(head.sequence) });
      if (existing === null) await this.writeCheckpoint(manager, Number(head.sequence), head.hash);
    });
  }

  /** Checks the whole chain and every checkpoint; names the first entry that is not what was written. */
  async verify(): Promise<VerifyResult> {
    const manager = this.dataSource.manager;
    const checkpoints = new Map(
      (await manager.find(AuditCheckpointRow, { order: { sequence: 'ASC' } })).map((c) => [
        Number(c.sequence),
        c,
      ]),
    );
    const result: VerifyResult = { ok: true, entries: 0, checkpoints: 0 };
    const fail = (sequence: number, problem: VerifyProblem, detail: string): VerifyResult => ({
      ...result,
      ok: false,
      firstBad: { sequence, problem, detail },
    });

    let expected: number | undefined;
    let prev = GENESIS_HASH;
    let after = 0;
    for (;;) {
      const rows = await manager.find(AuditEntryRow, {
        where: { sequence: MoreThan(after) },
        order: { sequence: 'ASC' },
        take: PAGE,
      });
      for (const row of rows) {
        const sequence = Number(row.sequence);
        if (expected === undefined) {
          result.firstSequence = sequence;
          if (sequence > 1) {
            const anchor = checkpoints.get(sequence - 1);
            if (anchor === undefined)
              return fail(
                1,
                'removed',
                `the trail starts at ${sequence} without a signed checkpoint before it`,
              );
            if (!this.checkpointValid(anchor))
              return fail(
                sequence - 1,
                'bad-checkpoint',
                'the purge anchor checkpoint is not validly signed',
              );
            prev = anchor.hash;
          }
          expected = sequence;
        }
        if (sequence > expected)
          return fail(expected, 'removed', `entry ${expected} is missing (next held is ${sequence})`);
        const self = hashEntry(row);
        if (row.prevHash !== prev) {
          const linked = await manager.findOneBy(AuditEntryRow, { hash: row.prevHash });
          if (linked !== null)
            return fail(
              sequence,
              'reordered',
              `entry ${sequence} follows entry ${Number(linked.sequence)}, not ${sequence - 1}`,
            );
          if (self !== row.hash)
            return fail(
              sequence,
              'removed',
              `the entry before ${sequence} was removed and later entries renumbered`,
            );
          return fail(
            sequence - 1,
            'altered',
            `entry ${sequence - 1} was rewritten (entry ${sequence} recorded another hash for it)`,
          );
        }
        if (self !== row.hash) return fail(sequence, 'altered', `entry ${sequence} does not match its hash`);
        const checkpoint = checkpoints.get(sequence);
        if (checkpoint !== undefined) {
          if (checkpoint.hash !== row.hash) {
            return fail(
              sequence,
              'bad-checkpoint',
              `the chain was rewritten before the checkpoint at ${sequence}`,
            );
          }
          if (!this.checkpointValid(checkpoint))
            return fail(sequence, 'bad-checkpoint', `the checkpoint at ${sequence} is not validly signed`);
          result.checkpoints++;
        }
        prev = row.hash;
        expected = sequence + 1;
        result.entries++;
        result.lastSequence = sequence;
      }
      if (rows.length < PAGE) break;
      after = Number(rows[rows.length - 1]!.sequence);
    }
    const next = expected ?? 1;
    const beyond = [...checkpoints.keys()].filter((s) => s >= next);
    if (beyond.length > 0)
      return fail(
        next,
        'removed',
        `a signed checkpoint covers entry ${Math.max(...beyond)} but the trail ends before ${next}`,
      );
    return result;
  }

  /** Writes every entry (from `fromSequence` on) to `sink` as JSON lines or RFC 5424 messages; returns the count. */
  async export(
    format: ExportFormat,
    sink: AuditExportSink,
    options: { fromSequence?: number; syslog?: SyslogFormatOptions } = {},
  ): Promise<number> {
    let after = (options.fromSequence ?? 1) - 1;
    let count = 0;
    for (;;) {
      const rows = await this.dataSource.manager.find(AuditEntryRow, {
        where: { sequence: MoreThan(after) },
        order: { sequence: 'ASC' },
        take: PAGE,
      });
      for (const row of rows) {
        const record = toRecord(row);
        await sink.write(format === 'jsonl' ? formatJsonLine(record) : formatSyslog(record, options.syslog));
        count++;
      }
      if (rows.length < PAGE) return count;
      after = Number(rows[rows.length - 1]!.sequence);
    }
  }

  /**
   * Retention: deletes the entries older than `cutoffMs`, up to the newest signed checkpoint made before it (the
   * checkpoint stays as the anchor the remaining chain is verified from), and records the purge in the trail.
   */
  async purgeBefore(
    cutoffMs: number,
    actor = 'system',
  ): Promise<{ purgedThrough: number | null; entries: number }> {
    return serialisedTransaction(this.dataSource, async (manager) => {
      const anchor = await manager.findOne(AuditCheckpointRow, {
        where: { atMs: LessThan(cutoffMs) },
        order: { sequence: 'DESC' },
      });
      if (anchor === null) return { purgedThrough: null, entries: 0 };
      const through = Number(anchor.sequence);
      const first = await manager.findOne(AuditEntryRow, { where: {}, order: { sequence: 'ASC' } });
      if (first === null || Number(first.sequence) > through) return { purgedThrough: null, entries: 0 };
      const deleted = await manager
        .createQueryBuilder()
        .delete()
        .from(AuditEntryRow)
        .where('sequence <= :through', { through })
        .execute();
      await manager
        .createQueryBuilder()
        .delete()
        .from(AuditCheckpointRow)
        .where('sequence < :through', { through })
        .execute();
      const entries = deleted.affected ?? through - Number(first.sequence) + 1;
      await this.append(manager, {
        action: 'audit.purge',
        outcome: 'success',
        actor,
        details: { through, entries, cutoff: new Date(cutoffMs).toISOString() },
      });
      return { purgedThrough: through, entries };
    });
  }

  private async head(manager: EntityManager): Promise<AuditEntryRow | undefined> {
    return (await manager.findOne(AuditEntryRow, { where: {}, order: { sequence: 'DESC' } })) ?? undefined;
  }

  /** When a purge removed every entry, the chain continues from the checkpoint it kept. */
  private async purgeAnchor(manager: EntityManager): Promise<AuditCheckpointRow | undefined> {
    return (
      (await manager.findOne(AuditCheckpointRow, { where: {}, order: { sequence: 'DESC' } })) ?? undefined
    );
  }

  private async writeCheckpoint(manager: EntityManager, sequence: number, hash: string): Promise<void> {
    const atMs = this.clock.now();
    await manager.insert(AuditCheckpointRow, {
      sequence,
      hash,
      atMs,
      keyId: this.options.key.keyId,
      signature: this.options.key.sign(checkpointMessage(sequence, hash, atMs)),
    });
  }

  private checkpointValid(checkpoint: AuditCheckpointRow): boolean {
    return (
      checkpoint.keyId === this.options.key.keyId &&
      this.options.key.verify(
        checkpointMessage(Number(checkpoint.sequence), checkpoint.hash, Number(checkpoint.atMs)),
        checkpoint.signature,
      )
    );
  }
}

function clip(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}

function clipDetails(
  details: Record<string, string | number | boolean>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(details).slice(0, 32)) {
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    out[clip(key, 64)] = typeof value === 'string' ? clip(value, LIMITS.detailValue) : value;
  }
  return out;
}
