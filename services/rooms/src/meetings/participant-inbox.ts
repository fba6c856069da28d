import type { ParticipantEvent } from '@conclave/protocol';

const MAX_PENDING = 20;

/**
 * Requests addressed to a participant's client (e.g. "please unmute"): kept in memory only until the client
 * collects them, never stored, never acted on by the server.
 */
export class ParticipantInbox {
  private readonly pending = new Map<string, ParticipantEvent[]>();

  /** `deliver` pushes an event to the participant's open streams (true when one was open: nothing is kept). */
  constructor(private readonly deliver?: (participantId: string, event: ParticipantEvent) => boolean) {}

  post(participantId: string, event: ParticipantEvent): void {
    if (this.deliver?.(participantId, event) === true) return;
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
