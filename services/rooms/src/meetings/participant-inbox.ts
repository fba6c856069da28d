import type { ParticipantEvent } from '@conclave/protocol';

const MAX_PENDING = 20;

/**
 * Requests addressed to a participant's client (e.g. "please unmute"): kept in memory only until the client
 * collects them, never stored, never acted on by the server.
 */
export class ParticipantInbox {
  private readonly pending = new Map<string, ParticipantEvent[]>();

  post(participantId: string, event: ParticipantEvent): void {
    const queue = this.pending.get(participantId) ?? [];
    queue.push(event);
    if (queue.length > MAX_PENDING) queue.shift();
    this.pending.set(participantId, queue);
  }

  /** Returns and forgets the participant's pending events. */
  take(participantId: string): ParticipantEvent[] {
    const queue = this.pending.get(participantId) ?? [];
    this.pending.delete(participantId);
    return queue;
  }

  forget(participantId: string): void {
    this.pending.delete(participantId);
  }
}
