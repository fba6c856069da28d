import type { LobbyEntry, LobbyExitReason, ParticipantStreamEvent } from '@conclave/protocol';
import { TooManyRequestsError } from '@conclave/server-kit';

/** Where one open stream's events go (the HTTP response, in production). */
export interface StreamSink {
  send(event: ParticipantStreamEvent): void;
  /** Ends the stream (the client reconnects unless the last event was final). */
  close(): void;
}

/** One open participant stream. */
export interface StreamSubscriber {
  meetingId: string;
  participantId: string;
  userId: string;
  /** Organisers and co-organisers (at connection time) also receive the lobby. */
  organiser: boolean;
  sink: StreamSink;
}

export interface ParticipantStreamLimits {
  /** Streams one user may hold open at once (several tabs, a reconnect overlapping the old stream). */
  perUser: number;
  /** Streams the service holds open at once. */
  total: number;
}

/**
 * The open participant streams of this process, by meeting, and what room control pushes into them: a
 * waiting person's state changes, requests addressed to a session, and the lobby for organisers. Memory only:
 * a client that reconnects is sent the current state again.
 */
export class ParticipantStreams {
  private readonly byMeeting = new Map<string, Set<StreamSubscriber>>();
  private readonly perUser = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: ParticipantStreamLimits) {}

  /** Open streams, for metrics and tests. */
  get size(): number {
    return this.total;
  }

  /** Refuses (429 `too_many_streams`) when the user or the service holds too many streams already. */
  checkRoom(userId: string): void {
    if (this.total >= this.limits.total || (this.perUser.get(userId) ?? 0) >= this.limits.perUser)
      throw new TooManyRequestsError('too_many_streams', 'too many open streams; try again later', 5);
  }

  /** Registers a stream (after `checkRoom`); the returned function unregisters it. */
  add(subscriber: StreamSubscriber): () => void {
    this.checkRoom(subscriber.userId);
    const set = this.byMeeting.get(subscriber.meetingId) ?? new Set();
    set.add(subscriber);
    this.byMeeting.set(subscriber.meetingId, set);
    this.perUser.set(subscriber.userId, (this.perUser.get(subscriber.userId) ?? 0) + 1);
    this.total += 1;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      set.delete(subscriber);
      if (set.size === 0) this.byMeeting.delete(subscriber.meetingId);
      const count = (this.perUser.get(subscriber.userId) ?? 1) - 1;
      if (count === 0) this.perUser.delete(subscriber.userId);
      else this.perUser.set(subscriber.userId, count);
      this.total -= 1;
    };
  }

  /** Sends to the session's own streams; true when at least one was open. */
  toParticipant(meetingId: string, participantId: string, event: ParticipantStreamEvent): boolean {
    let delivered = false;
    for (const subscriber of this.subscribers(meetingId))
      if (subscriber.participantId === participantId) {
        subscriber.sink.send(event);
        delivered = true;
      }
    return delivered;
  }

  /** Sends to a session's streams whatever its meeting; true when at least one was open. */
  toSession(participantId: string, event: ParticipantStreamEvent): boolean {
    let delivered = false;
    for (const set of this.byMeeting.values())
      for (const subscriber of set)
        if (subscriber.participantId === participantId) {
          subscriber.sink.send(event);
          delivered = true;
        }
    return delivered;
  }

  /** Someone started waiting: organisers are told. */
  arrived(meetingId: string, entry: LobbyEntry): void {
    this.toOrganisers(meetingId, { type: 'lobby-arrived', entry });
  }

  /** A wait ended: the person is told (and their stream closed unless admitted), organisers too. */
  departed(meetingId: string, participantId: string, outcome: 'admitted' | LobbyExitReason): void {
    const final = outcome !== 'admitted';
    this.toParticipant(meetingId, participantId, {
      type: 'state',
      state: outcome === 'admitted' || outcome === 'refused' || outcome === 'removed' ? outcome : 'left',
      ...(final ? { reason: outcome } : {}),
    });
    if (final) this.closeParticipant(meetingId, participantId);
    this.toOrganisers(meetingId, { type: 'lobby-departed', participantId, outcome });
  }

  /** An admitted session was removed: it is told, and its streams close. */
  removed(meetingId: string, participantId: string): void {
    this.toParticipant(meetingId, participantId, { type: 'state', state: 'removed', reason: 'removed' });
    this.closeParticipant(meetingId, participantId);
  }

  /** The meeting ended: every stream of it is told and closed. */
  ended(meetingId: string): void {
    for (const subscriber of this.subscribers(meetingId)) {
      subscriber.sink.send({ type: 'meeting-ended' });
      subscriber.sink.close();
    }
  }

  /** Closes every stream (service shutdown). */
  closeAll(): void {
    for (const set of [...this.byMeeting.values()])
      for (const subscriber of [...set]) subscriber.sink.close();
  }

  private toOrganisers(meetingId: string, event: ParticipantStreamEvent): void {
    for (const subscriber of this.subscribers(meetingId))
      if (subscriber.organiser) subscriber.sink.send(event);
  }

  private closeParticipant(meetingId: string, participantId: string): void {
    for (const subscriber of this.subscribers(meetingId))
      if (subscriber.participantId === participantId) subscriber.sink.close();
  }

  private subscribers(meetingId: string): StreamSubscriber[] {
    return [...(this.byMeeting.get(meetingId) ?? [])];
  }
}
