import { In, LessThan, Not, type DataSource } from 'typeorm';
import type { Clock, Logger } from '@conclave/server-kit';
import { serialisedTransaction, type AuditStore } from '../audit-lib';
import { MeetingMemberRow, MeetingRow, ParticipantRow } from '../persistence/entities';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  /** Ended meetings (and their invitation and participant lists) are deleted this long after they end. */
  meetingsDays: number;
  /** Audit entries older than this are purged, up to a signed checkpoint. */
  auditDays: number;
}

export interface PurgeReport {
  meetings: number;
  participants: number;
  auditEntries: number;
}

/** Deletes what outlived its retention period, and records each purge in the audit trail. */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly clock: Clock,
    private readonly options: RetentionOptions,
    private readonly log: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.purge().catch((error: unknown) =>
        this.log.error('retention purge failed', { error: error as Error }),
      );
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  async purge(): Promise<PurgeReport> {
    const now = this.clock.now();
    const meetingsCutoff = now - this.options.meetingsDays * DAY_MS;
    const { meetings, participants } = await serialisedTransaction(this.dataSource, async (manager) => {
      const expired = await manager.find(MeetingRow, {
        where: [
          { status: 'ended', endedAtMs: LessThan(meetingsCutoff) },
          { status: Not('ended'), endsAtMs: LessThan(meetingsCutoff) },
        ],
        select: { id: true },
        take: 5000,
      });
      if (expired.length === 0) return { meetings: 0, participants: 0 };
      const ids = expired.map((m) => m.id);
      const removedParticipants = await manager.delete(ParticipantRow, { meetingId: In(ids) });
      await manager.delete(MeetingMemberRow, { meetingId: In(ids) });
      await manager.delete(MeetingRow, { id: In(ids) });
      const participantsDeleted = removedParticipants.affected ?? 0;
      await this.audit.append(manager, {
        action: 'retention.purge',
        outcome: 'success',
        actor: 'system',
        target: 'meetings',
        details: {
          meetings: ids.length,
          participants: participantsDeleted,
          cutoff: new Date(meetingsCutoff).toISOString(),
        },
      });
      return { meetings: ids.length, participants: participantsDeleted };
    });
    const audit = await this.audit.purgeBefore(now - this.options.auditDays * DAY_MS);
    const report = { meetings, participants, auditEntries: audit.entries };
    if (meetings > 0 || audit.entries > 0) this.log.info('retention purge', { ...report });
    return report;
  }
}
