import { randomBytes } from 'node:crypto';
import type {
  JoinResponse,
  LobbyEntry,
  ParticipantEvent,
  ParticipantView,
  TicketResponse,
} from '@conclave/protocol';
import { ConflictError, ForbiddenError, NotFoundError, type Clock } from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import type { RoomsMetrics } from '../metrics';
import type { ParticipantRow } from '../persistence/entities';
import type { TicketIssuer } from '../tickets/ticket-issuer';
import { refusalForSession, type MeetingAccess } from './meeting-access';
import {
  formatRights,
  isAutoAdmitted,
  isInvited,
  ORGANISER_RIGHTS,
  organiserRole,
  PARTICIPANT_RIGHTS,
  parseRights,
  parseSources,
} from './meeting-policy';
import type { MeetingRecords, MeetingStore } from './meeting-store';
import type { TurnCredentials } from '../turn/turn-credentials';
import { joinResponse, participantView } from './meeting-views';
import type { ParticipantInbox } from './participant-inbox';
import type { ParticipantStreams } from '../streams/participant-streams';

export interface MeetingAdmissionDeps {
  store: MeetingStore;
  access: MeetingAccess;
  tickets: TicketIssuer;
  inbox: ParticipantInbox;
  /** Open participant streams: organisers see arrivals and decisions, waiting people their outcome. */
  streams: ParticipantStreams;
  metrics: RoomsMetrics;
  clock: Clock;
  signallingUrl?: string;
  /** The appliance's TURN relay: admitted participants get its URLs and their own credential with the ticket. */
  turn?: TurnCredentials;
}

/** Entering a meeting: invitation, lock, lobby, admission and refusal, join tickets, the participant list. */
export class MeetingAdmission {
  constructor(private readonly deps: MeetingAdmissionDeps) {}

  /** Asks to enter: refused if not invited (unless knocking is allowed), barred, locked or ended. */
  async join(caller: Caller, meetingId: string, sourceIp?: string): Promise<JoinResponse> {
    let arrived: ParticipantRow | undefined;
    const outcome = await this.deps.store.write(async (records, record) => {
      const { meeting, members } = await records.load(meetingId);
      const refuse = (error: ForbiddenError | ConflictError) => {
        this.deps.metrics.refusals.inc({ reason: error.code });
        return error;
      };
      if (meeting.status === 'ended')
        return refuse(new ConflictError('meeting_ended', 'this meeting has ended'));
      if (meeting.status === 'cancelled')
        return refuse(new ConflictError('meeting_cancelled', 'this meeting was cancelled'));
      const role = organiserRole(meeting, members, caller.userId);
      const invited = isInvited(meeting, members, caller);
      if (!invited && !meeting.knock)
        return refuse(new ForbiddenError('not_invited', 'you are not invited to this meeting'));
      if (await records.isBarred(meetingId, caller.userId))
        return refuse(new ForbiddenError('participant_removed', 'you were removed from this meeting'));
      if (role === null && (await records.hasSession(meetingId, caller.userId, 'refused')))
        return refuse(new ForbiddenError('lobby_refused', 'you were refused entry to this meeting'));
      const [current] = await records.sessionsOf(meetingId, caller.userId, ['waiting', 'admitted']);
      if (current !== undefined) return joinResponse(meeting, current, role);
      if (meeting.locked && role === null)
        return refuse(new ForbiddenError('meeting_locked', 'this meeting is locked'));

      const admitted =
        role !== null || (invited && (!meeting.lobby || isAutoAdmitted(members, caller.userId)));
      const now = this.deps.clock.now();
      const participant: ParticipantRow = {
        id: participantId(),
        meetingId,
        userId: caller.userId,
        displayName: caller.name,
        state: admitted ? 'admitted' : 'waiting',
        rights: formatRights(role !== null ? ORGANISER_RIGHTS : PARTICIPANT_RIGHTS),
        paused: '',
        powersVersion: 0,
        createdAtMs: now,
        updatedAtMs: now,
      };
      await records.insertParticipant(participant);
      arrived = admitted ? undefined : participant;
      if (admitted && meeting.status === 'scheduled')
        await records.updateMeeting(meetingId, { status: 'live' });
      await record({
        action: admitted ? 'room.join.admitted' : 'room.join.waiting',
        outcome: 'success',
        actor: caller.userId,
        target: participant.id,
        details: {
          meeting: meetingId,
          ...(invited ? {} : { knock: true }),
          ...(role !== null ? { role } : {}),
        },
        sourceIp,
      });
      if (admitted)
        this.deps.metrics.admissions.inc({
          via: role !== null ? 'organiser' : meeting.lobby ? 'auto-admit' : 'no-lobby',
        });
      return joinResponse(meeting, participant, role);
    });
    if (outcome instanceof Error) {
      await this.deps.store.recordDenial({
        action: 'room.join',
        outcome: 'failure',
        actor: caller.userId,
        target: meetingId,
        reason: outcome.code,
        sourceIp,
      });
      throw outcome;
    }
    if (arrived !== undefined) this.deps.streams.arrived(meetingId, lobbyEntry(arrived));
    return outcome;
  }

  /** Organisers: the people waiting in the lobby. */
  async lobby(caller: Caller, meetingId: string): Promise<ParticipantView[]> {
    const records = this.deps.store.read;
    const { meeting, members } = await records.load(meetingId);
    await this.deps.access.requireOrganiser(caller, meeting, members, 'lobby');
    const waiting = await records.participantsIn(meetingId, ['waiting']);
    return waiting.map((p) => participantView(p, meeting, members));
  }

  /** Organisers: admit or refuse waiting people, named or all of them. */
  async decide(
    caller: Caller,
    meetingId: string,
    decision: 'admit' | 'refuse',
    selection: { participantIds?: string[]; all?: true },
    sourceIp?: string,
  ): Promise<ParticipantView[]> {
    return this.deps.access.organiserWrite(
      caller,
      meetingId,
      `lobby.${decision}`,
      sourceIp,
      async (records, record, meeting, members) => {
        if (meeting.status === 'ended') throw new ConflictError('meeting_ended', 'this meeting has ended');
        const waiting = await records.participantsIn(meetingId, ['waiting'], selection.participantIds);
        if (
          selection.participantIds !== undefined &&
          waiting.length !== new Set(selection.participantIds).size
        ) {
          throw new NotFoundError('not_found', 'one of these people is not waiting in this lobby');
        }
        const now = this.deps.clock.now();
        const state = decision === 'admit' ? 'admitted' : 'refused';
        for (const participant of waiting) {
          participant.state = state;
          participant.updatedAtMs = now;
          await records.updateParticipant(participant.id, { state, updatedAtMs: now });
          await record({
            action: `room.lobby.${decision}`,
            outcome: 'success',
            actor: caller.userId,
            target: participant.id,
            details: { meeting: meetingId, user: participant.userId },
            sourceIp,
          });
        }
        if (decision === 'admit' && waiting.length > 0 && meeting.status === 'scheduled')
          await records.updateMeeting(meetingId, { status: 'live' });
        return () => {
          for (const participant of waiting) {
            this.deps.metrics.lobbyWait.observe((now - Number(participant.createdAtMs)) / 1000);
            if (decision === 'admit') this.deps.metrics.admissions.inc({ via: 'lobby' });
            else this.deps.metrics.refusals.inc({ reason: 'lobby' });
            this.deps.streams.departed(
              meetingId,
              participant.id,
              decision === 'admit' ? 'admitted' : 'refused',
            );
          }
          return waiting.map((p) => participantView(p, meeting, members));
        };
      },
    );
  }

  /** A join ticket for the SFU, only to an admitted participant, for its own session. */
  async issueTicket(
    caller: Caller,
    meetingId: string,
    participantId: string,
    sourceIp?: string,
  ): Promise<TicketResponse> {
    const issued = await this.deps.store.write(async (records, record) => {
      const { meeting } = await records.load(meetingId);
      const participant = await ownParticipant(records, caller, meetingId, participantId);
      const refusal = refusalForSession(meeting, participant);
      if (refusal !== undefined) return refusal;
      const rights = parseRights(participant.rights);
      const { ticket, expiresAtMs } = await this.deps.tickets.issue({
        userId: caller.userId,
        meetingId,
        participantId,
        name: participant.displayName,
        rights,
        mlsSuite: meeting.e2eeSuite,
        powersVersion: Number(participant.powersVersion),
        paused: parseSources(participant.paused),
      });
      await record({
        action: 'room.ticket',
        outcome: 'success',
        actor: caller.userId,
        target: participantId,
        details: {
          meeting: meetingId,
          rights: rights.join(','),
          version: Number(participant.powersVersion),
          ...(participant.paused !== '' ? { paused: participant.paused } : {}),
        },
        sourceIp,
      });
      const iceServers = this.deps.turn?.issue(
        caller.userId,
        this.deps.clock.now(),
        Number(meeting.endsAtMs),
        expiresAtMs,
      );
      return {
        ticket,
        expiresAt: new Date(expiresAtMs).toISOString(),
        signallingUrl: this.deps.signallingUrl ?? null,
        ...(iceServers !== undefined ? { iceServers } : {}),
      };
    });
    if (issued instanceof Error) {
      await this.deps.store.recordDenial({
        action: 'room.ticket',
        outcome: 'failure',
        actor: caller.userId,
        target: participantId,
        reason: issued.code,
        details: { meeting: meetingId },
        sourceIp,
      });
      throw issued;
    }
    return issued;
  }

  /** The caller's own participant record (waiting people see only their state), or any for organisers. */
  async participant(
    caller: Caller,
    meetingId: string,
    participantId: string,
  ): Promise<ParticipantView | { participantId: string; state: ParticipantView['state'] }> {
    const records = this.deps.store.read;
    const { meeting, members } = await records.load(meetingId);
    const row = await records.participant(meetingId, participantId);
    const organiser = await this.deps.access.isOrganiser(records, caller, meeting, members);
    if (row === null || (row.userId !== caller.userId && !organiser))
      throw new NotFoundError('not_found', 'no such participant');
    if (row.state !== 'admitted' && !organiser) return { participantId: row.id, state: row.state };
    return participantView(row, meeting, members);
  }

  /** Organisers and admitted participants: who is in the meeting. */
  async participants(caller: Caller, meetingId: string): Promise<ParticipantView[]> {
    const records = this.deps.store.read;
    const { meeting, members } = await records.load(meetingId);
    await this.deps.access.requireAttendee(records, caller, meeting, members);
    const rows = await records.participantsIn(meetingId, ['admitted']);
    return rows.map((p) => participantView(p, meeting, members));
  }

  /** Requests addressed to the caller's own session (e.g. "please unmute"), collected once. */
  async events(caller: Caller, meetingId: string, participantId: string): Promise<ParticipantEvent[]> {
    await ownParticipant(this.deps.store.read, caller, meetingId, participantId);
    return this.deps.inbox.take(participantId);
  }
}

async function ownParticipant(
  records: MeetingRecords,
  caller: Caller,
  meetingId: string,
  participantId: string,
): Promise<ParticipantRow> {
  const row = await records.participant(meetingId, participantId);
  if (row === null || row.userId !== caller.userId)
    throw new NotFoundError('not_found', 'no such participant');
  return row;
}

/** A waiting session as organisers see it in the lobby. */
export function lobbyEntry(row: ParticipantRow): LobbyEntry {
  return {
    participantId: row.id,
    userId: row.userId,
    name: row.displayName,
    since: new Date(Number(row.createdAtMs)).toISOString(),
  };
}

function participantId(): string {
  return `p${randomBytes(12).toString('base64url')}`;
}
