import type { ParticipantStream } from '@conclave/client';
import type { ParticipantStreamEvent } from '@conclave/protocol';
import { roomsClient } from '../session';
import { createStore, type Store } from '../store';
import { INITIAL_FEED_STATE, reduce, type FeedState } from './feed-state';

/**
 * One's own participant stream for the whole visit (lobby, then meeting): its state for the screens, and every
 * event for features that react to one (lobby arrivals, unmute requests).
 */
export class ParticipantFeed {
  readonly store: Store<FeedState> = createStore<FeedState>(INITIAL_FEED_STATE);
  private readonly listeners = new Set<(event: ParticipantStreamEvent) => void>();
  private readonly stream: ParticipantStream;

  constructor(
    readonly meetingId: string,
    readonly participantId: string,
  ) {
    this.stream = roomsClient.participantStream(meetingId, participantId, {
      onEvent: (event) => this.apply(event),
      onStatus: (connection) => this.store.set((s) => ({ ...s, connection })),
    });
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe function. */
  on(listener: (event: ParticipantStreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.stream.close();
    this.listeners.clear();
  }

  private apply(event: ParticipantStreamEvent): void {
    this.store.set((s) => reduce(s, event));
    for (const listener of [...this.listeners]) listener(event);
  }
}
