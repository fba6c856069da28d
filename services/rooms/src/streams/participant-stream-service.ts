import type { ParticipantStreamEvent } from '@conclave/protocol';
import { ConflictError, NotFoundError, type Clock } from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import type { MeetingAccess } from '../meetings/meeting-access';
import { lobbyEntry } from '../meetings/meeting-admission';
import type { MeetingStore } from '../meetings/meeting-store';
import type { ParticipantInbox } from '../meetings/participant-inbox';
import type { ParticipantRow } from '../persistence/entities';
import type { ParticipantStreams, StreamSink } from './participant-streams';

export interface ParticipantStreamServiceDeps {
  store: MeetingStore;
  access: MeetingAccess;
  streams: ParticipantStreams;
  inbox: ParticipantInbox;
  clock: Clock;
  /** A person still waiting after this long is told and removed from the lobby. */
  giveUpAfterSeconds: number;
}

/** What a participant stream starts from once its caller is known to own the session. */
export interface StreamOpening {
  meetingId: string;
  participantId: string;
  userId: string;
  organiser: boolean;
}

/** Opening a participant's stream (what it is sent first), and a waiting person leaving the lobby. */
export class ParticipantStreamService {
  constructor(private readonly deps: ParticipantStreamServiceDeps) {}

  /** Checks the caller owns the session and may open one more stream (404 `not_found`, 429 `too_many_streams`). */
  async authorise(caller: Caller, meetingId: string, participantId: string): Promise<StreamOpening> {
    const records = this.deps.store.read;
    const { meeting, members } = await records.load(meetingId);
    const row = await records.participant(meetingId, participantId);
    if (row === null || row.userId !== caller.userId)
      throw new NotFoundError('not_found', 'no such participant');
    this.deps.streams.checkRoom(caller.userId);
    const organiser =
      row.state === 'admitted' && (await this.deps.access.isOrganiser(records, caller, meeting, members));
    return { meetingId, participantId, userId: caller.userId, organiser };
  }

  /**
   * Registers the stream, then sends the current state (and, to organisers, the lobby) read after registering,
   * so no change falls between the two. A final state is sent and the stream closed. Returns the unregistering
   * function.
   */
  async attach(opening: StreamOpening, sink: StreamSink): Promise<() => void> {
    const unregister = this.deps.streams.add({ ...opening, sink });
    try {
      const records = this.deps.store.read;
      const { meeting } = await records.load(opening.meetingId);
      const row = await records.participant(opening.meetingId, opening.participantId);
      if (meeting.status === 'ended' || row === null) {
        sink.send({ type: 'meeting-ended' });
        sink.close();
        return unregister;
      }
      sink.send(this.stateOf(row));
      if (row.state !== 'waiting' && row.state !== 'admitted') {
        sink.close();
        return unregister;
      }
      if (opening.organiser) {
        const waiting = await records.participantsIn(opening.meetingId, ['waiting']);
        sink.send({ type: 'lobby', waiting: waiting.slice(0, 1000).map(lobbyEntry) });
      }
      for (const event of this.deps.inbox.take(opening.participantId)) sink.send(event);
      return unregister;
    } catch (error) {
      unregister();
      throw error;
    }
  }

  /** The waiting person withdraws from the lobby (state `left`, audited); a second call changes nothing. */
  async leave(
    caller: Caller,
    meetingId: string,
    participantId: string,
    sourceIp?: string,
  ): Promise<{ participantId: string; state: 'left' }> {
    const outcome = await this.deps.store.write(async (records, record) => {
      await records.load(meetingId);
      const row = await records.participant(meetingId, participantId);
      if (row === null || row.userId !== caller.userId)
        throw new NotFoundError('not_found', 'no such participant');
      if (row.state === 'left') return false;
      if (row.state !== 'waiting')
        return new ConflictError('invalid_state', 'only a person waiting in the lobby can leave it');
      await records.updateParticipant(participantId, { state: 'left', updatedAtMs: this.deps.clock.now() });
      await record({
        action: 'room.lobby.leave',
        outcome: 'success',
        actor: caller.userId,
        target: participantId,
        details: { meeting: meetingId },
        sourceIp,
      });
      return true;
    });
    if (outcome instanceof Error) {
      await this.deps.store.recordDenial({
        action: 'room.lobby.leave',
        outcome: 'failure',
        actor: caller.userId,
        target: participantId,
        reason: outcome.code,
        details: { meeting: meetingId },
        sourceIp,
      });
      throw outcome;
    }
    if (outcome) this.deps.streams.departed(meetingId, participantId, 'withdrew');
    return { participantId, state: 'left' };
  }

  private stateOf(row: ParticipantRow): ParticipantStreamEvent {
    if (row.state !== 'waiting') return { type: 'state', state: row.state };
    const giveUpAtMs = Number(row.createdAtMs) + this.deps.giveUpAfterSeconds * 1000;
    return {
      type: 'state',
      state: 'waiting',
      giveUpAt: new Date(giveUpAtMs).toISOString(),
      giveUpAfterSeconds: this.deps.giveUpAfterSeconds,
    };
  }
}
