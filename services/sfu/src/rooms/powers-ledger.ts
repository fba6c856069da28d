import type { JoinTicketClaims } from '@conclave/protocol';
import { ConflictError, ForbiddenError, UnauthorizedError, type Clock } from '@conclave/server-kit';

export interface PowersLedgerOptions {
  clock: Clock;
  /**
   * How long a record is kept after its last change: at least a ticket's longest life plus the clock tolerance
   * on both sides, after which every ticket issued before the change has expired anyway.
   */
  retentionMs: number;
  /** Allowed clock difference between room control and this SFU (`tickets.clockToleranceSeconds`). */
  clockToleranceSeconds: number;
}

interface Stamp {
  version: number;
  atMs: number;
}

interface MeetingRecord {
  ended?: Stamp;
  /** Per participant session: the last change of its rights or mute. */
  changed: Map<string, Stamp>;
  /** Per participant session: the issue time (`iat`, s) of the newest ticket accepted for it. */
  newestTicket: Map<string, Stamp>;
  /** Per user: the removal that barred it. */
  barred: Map<string, Stamp>;
}

/**
 * What the SFU knows of organiser powers independently of live sessions: per meeting, the powers version of the
 * last change to each participant session, each user's bar, the meeting's end, and the issue time of the newest
 * ticket accepted per session. A join ticket older than any of these is refused, so a ticket fetched before a change cannot
 * bring back what the change took away, even when the change happened while its holder was disconnected.
 */
export class PowersLedger {
  private readonly meetings = new Map<string, MeetingRecord>();
  private lastSweepMs = 0;
  /** This SFU forgets everything on restart, so it refuses tickets issued before it started. */
  private readonly startedAtMs: number;

  constructor(private readonly options: PowersLedgerOptions) {
    this.startedAtMs = options.clock.now();
  }

  /** A participant session's rights or mute changed at `version`. */
  changed(meetingId: string, participantId: string, version: number): void {
    stamp(this.meeting(meetingId).changed, participantId, version, this.now());
  }

  /** A user was removed and barred at `version`. */
  barred(meetingId: string, userId: string, version: number): void {
    stamp(this.meeting(meetingId).barred, userId, version, this.now());
  }

  /** The meeting ended at `version`. */
  ended(meetingId: string, version: number): void {
    const record = this.meeting(meetingId);
    if (record.ended === undefined || record.ended.version < version)
      record.ended = { version, atMs: this.now() };
  }

  /**
   * Refuses a verified ticket older than the last change it would undo, then records it as its session's
   * newest. Call it right before admitting, with no `await` in between, so no change slips between the two.
   */
  admit(claims: Pick<JoinTicketClaims, 'room' | 'pid' | 'sub' | 'pv' | 'iat'>): void {
    if ((claims.iat + this.options.clockToleranceSeconds) * 1000 < this.startedAtMs)
      throw new UnauthorizedError(
        'ticket_superseded',
        'the join ticket predates this media server; fetch a new one',
      );
    const record = this.meetings.get(claims.room);
    if (record !== undefined) {
      if (record.ended !== undefined && claims.pv < record.ended.version)
        throw new ConflictError('meeting_ended', 'this meeting has ended');
      if (claims.pv < (record.barred.get(claims.sub)?.version ?? 0))
        throw new ForbiddenError('participant_removed', 'you were removed from this meeting');
      if (claims.pv < (record.changed.get(claims.pid)?.version ?? 0))
        throw new UnauthorizedError(
          'ticket_superseded',
          'the join ticket predates a change of your rights; fetch a new one',
        );
      if (claims.iat < (record.newestTicket.get(claims.pid)?.version ?? 0))
        throw new UnauthorizedError('ticket_superseded', 'a newer join ticket was used for this session');
    }
    stamp(this.meeting(claims.room).newestTicket, claims.pid, claims.iat, this.now());
  }

  private meeting(meetingId: string): MeetingRecord {
    this.sweep();
    let record = this.meetings.get(meetingId);
    if (record === undefined) {
      record = { changed: new Map(), newestTicket: new Map(), barred: new Map() };
      this.meetings.set(meetingId, record);
    }
    return record;
  }

  private now(): number {
    return this.options.clock.now();
  }

  /** Forgets records older than the retention, at most once a second. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweepMs < 1000) return;
    this.lastSweepMs = now;
    const before = now - this.options.retentionMs;
    for (const [meetingId, record] of this.meetings) {
      for (const map of [record.changed, record.newestTicket, record.barred])
        for (const [key, { atMs }] of map) if (atMs < before) map.delete(key);
      if (record.ended !== undefined && record.ended.atMs < before) delete record.ended;
      if (
        record.ended === undefined &&
        record.changed.size + record.newestTicket.size + record.barred.size === 0
      )
        this.meetings.delete(meetingId);
    }
  }
}

function stamp(map: Map<string, Stamp>, key: string, version: number, atMs: number): void {
  const current = map.get(key);
  if (current === undefined || current.version <= version) map.set(key, { version, atMs });
}
