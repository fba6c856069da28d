import type { Clock, Logger } from '@conclave/server-kit';
import type { MeetingStore } from '../meetings/meeting-store';
import type { ParticipantStreams } from './participant-streams';

/**
 * Gives up waits that lasted longer than the configured time: each such session becomes `left` with an audit
 * entry, and the person and the organisers are told through their streams.
 */
export class LobbyTimeouts {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      store: MeetingStore;
      streams: ParticipantStreams;
      clock: Clock;
      giveUpAfterSeconds: number;
      log?: Logger;
    },
  ) {}

  /** Sweeps now and then every `intervalMs` (a quarter of the longest wait, at most 30 s, by default). */
  start(intervalMs = Math.min(30_000, Math.max(1000, (this.deps.giveUpAfterSeconds * 1000) / 4))): void {
    this.stop();
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) =>
        this.deps.log?.warn('lobby sweep failed', { error: String(error) }),
      );
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ends the waits older than the limit; returns how many. */
  async sweep(): Promise<number> {
    const limitMs = this.deps.giveUpAfterSeconds * 1000;
    const stale = await this.deps.store.read.waitingSince(this.deps.clock.now() - limitMs);
    let ended = 0;
    for (const candidate of stale) {
      const changed = await this.deps.store.write(async (records, record) => {
        const row = await records.participant(candidate.meetingId, candidate.id);
        if (row === null || row.state !== 'waiting') return false;
        await records.updateParticipant(row.id, { state: 'left', updatedAtMs: this.deps.clock.now() });
        await record({
          action: 'room.lobby.gave-up',
          outcome: 'success',
          actor: 'rooms',
          target: row.id,
          details: { meeting: row.meetingId, user: row.userId, afterSeconds: this.deps.giveUpAfterSeconds },
        });
        return true;
      });
      if (changed) {
        ended += 1;
        this.deps.streams.departed(candidate.meetingId, candidate.id, 'gave-up');
      }
    }
    return ended;
  }
}
