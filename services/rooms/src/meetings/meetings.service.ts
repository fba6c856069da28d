import { randomBytes } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import type {
  InstantMeetingRequest,
  JoinResponse,
  MediaSource,
  MeetingSummary,
  MeetingView,
  ParticipantEvent,
  ParticipantView,
  Right,
  ScheduleMeetingRequest,
  TicketResponse,
} from '@conclave/protocol';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type AuditEvent,
  type Clock,
} from '@conclave/server-kit';
import { serialisedTransaction, type AuditStore } from '../audit-lib';
import type { Caller } from '../auth/access-token-verifier';
import type { RoomsMetrics } from '../metrics';
import { MeetingMemberRow, MeetingRow, ParticipantRow } from '../persistence/entities';
import type { SfuControl } from '../sfu/sfu-control';
import type { TicketIssuer } from '../tickets/ticket-issuer';
import {
  formatRights,
  groupPrincipal,
  isAutoAdmitted,
  isInvited,
  ORGANISER_RIGHTS,
  organiserRole,
  PARTICIPANT_RIGHTS,
  parseRights,
  SCHEDULING_ROLES,
  userPrincipal,
  withRight,
} from './meeting-policy';
import type { ParticipantInbox } from './participant-inbox';

export interface MeetingsServiceDeps {
  dataSource: DataSource;
  audit: AuditStore;
  sfu: SfuControl;
  tickets: TicketIssuer;
  inbox: ParticipantInbox;
  metrics: RoomsMetrics;
  clock: Clock;
  instantDurationMinutes: number;
  signallingUrl?: string;
}

type AuditAppend = (event: AuditEvent) => Promise<void>;

const MEETING_ID = /^[A-Za-z0-9_-]{22}$/;
const PARTICIPANT_ID = /^p[A-Za-z0-9_-]{16}$/;

/** The powers over one participant an organiser can exercise, as audit actions. */
type Power = 'share' | 'camera' | 'mute' | 'ask-unmute' | 'remove' | 'promote';

/**
 * Meetings and who may do what in them. Every change is one serialised transaction that also appends its audit
 * entry, so a change is never stored without its entry nor an entry without its change; organiser powers go to
 * the SFU first and are stored only once the SFU applied them.
 */
export class MeetingsService {
  constructor(private readonly deps: MeetingsServiceDeps) {}

  // ------------------------------------------------------------------------------------------------------
  // Meetings
  // ------------------------------------------------------------------------------------------------------

  async schedule(caller: Caller, request: ScheduleMeetingRequest, sourceIp?: string): Promise<MeetingView> {
    return this.create(
      caller,
      'scheduled',
      { ...request, startsAtMs: Date.parse(request.startsAt), endsAtMs: Date.parse(request.endsAt) },
      sourceIp,
    );
  }

  async createInstant(
    caller: Caller,
    request: InstantMeetingRequest,
    sourceIp?: string,
  ): Promise<MeetingView> {
    const now = this.deps.clock.now();
    return this.create(
      caller,
      'instant',
      { ...request, startsAtMs: now, endsAtMs: now + this.deps.instantDurationMinutes * 60_000 },
      sourceIp,
    );
  }

  /** Meetings the caller organises or is invited to (directly or through a group), not ended. */
  async listMine(caller: Caller): Promise<MeetingSummary[]> {
    const manager = this.deps.dataSource.manager;
    const principals = [userPrincipal(caller.userId), ...caller.groups.slice(0, 256).map(groupPrincipal)];
    const memberOf = await manager.find(MeetingMemberRow, {
      where: { principal: In(principals) },
      select: { meetingId: true },
    });
    const ids = [...new Set(memberOf.map((m) => m.meetingId))];
    const meetings = await manager.find(MeetingRow, {
      where: [{ organiserId: caller.userId }, ...(ids.length > 0 ? [{ id: In(ids.slice(0, 500)) }] : [])],
      order: { startsAtMs: 'ASC' },
      take: 500,
    });
    return meetings.filter((m) => m.status !== 'ended').map(summary);
  }

  /** Administrators: every meeting not yet purged. */
  async listAll(): Promise<MeetingSummary[]> {
    return (
      await this.deps.dataSource.manager.find(MeetingRow, { order: { startsAtMs: 'ASC' }, take: 10_000 })
    ).map(summary);
  }

  /** Organisers and admitted participants see the meeting; a waiting person sees nothing of it. */
  async get(caller: Caller, meetingId: string): Promise<MeetingView> {
    const manager = this.deps.dataSource.manager;
    const { meeting, members } = await this.load(manager, meetingId);
    if (
      organiserRole(meeting, members, caller.userId) === null ||
      (await this.isBarred(manager, meetingId, caller.userId))
    ) {
      if (!isInvited(meeting, members, caller))
        throw new ForbiddenError('not_invited', 'you are not invited to this meeting');
      const admitted = await manager.countBy(ParticipantRow, {
        meetingId,
        userId: caller.userId,
        state: 'admitted',
      });
      if (admitted === 0)
        throw new ForbiddenError('not_admitted', 'you have not been admitted to this meeting');
    }
    return view(meeting, members);
  }

  // ------------------------------------------------------------------------------------------------------
  // Entering: invitation, lock, lobby
  // ------------------------------------------------------------------------------------------------------

  /** Asks to enter: refused if not invited (unless knocking is allowed), barred, locked or ended. */
  async join(caller: Caller, meetingId: string, sourceIp?: string): Promise<JoinResponse> {
    const refusal = await this.transaction(async (manager, record) => {
      const { meeting, members } = await this.load(manager, meetingId);
      const refuse = async (error: ForbiddenError | ConflictError) => {
        await record({
          action: 'room.join',
          outcome: 'failure',
          actor: caller.userId,
          target: meetingId,
          reason: error.code,
          sourceIp,
        });
        this.deps.metrics.refusals.inc({ reason: error.code });
        return error;
      };
      if (meeting.status === 'ended')
        return refuse(new ConflictError('meeting_ended', 'this meeting has ended'));
      const role = organiserRole(meeting, members, caller.userId);
      const invited = isInvited(meeting, members, caller);
      if (!invited && !meeting.knock)
        return refuse(new ForbiddenError('not_invited', 'you are not invited to this meeting'));
      if (await this.isBarred(manager, meetingId, caller.userId))
        return refuse(new ForbiddenError('participant_removed', 'you were removed from this meeting'));
      const current = await manager.findOne(ParticipantRow, {
        where: { meetingId, userId: caller.userId, state: In(['waiting', 'admitted']) },
      });
      if (current !== null) return joinResponse(meeting, current, role);
      if (meeting.locked && role === null)
        return refuse(new ForbiddenError('meeting_locked', 'this meeting is locked'));

      const admitted =
        role !== null || (invited && (!meeting.lobby || isAutoAdmitted(members, caller.userId)));
      const now = this.deps.clock.now();
      const participant = manager.create(ParticipantRow, {
        id: participantId(),
        meetingId,
        userId: caller.userId,
        displayName: caller.name,
        state: admitted ? 'admitted' : 'waiting',
        rights: formatRights(role !== null ? ORGANISER_RIGHTS : PARTICIPANT_RIGHTS),
        createdAtMs: now,
        updatedAtMs: now,
      });
      await manager.insert(ParticipantRow, participant);
      if (admitted && meeting.status === 'scheduled')
        await manager.update(MeetingRow, { id: meetingId }, { status: 'live' });
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
    if (refusal instanceof Error) throw refusal;
    return refusal;
  }

  /** Organisers: the people waiting in the lobby. */
  async lobby(caller: Caller, meetingId: string): Promise<ParticipantView[]> {
    const manager = this.deps.dataSource.manager;
    const { meeting, members } = await this.load(manager, meetingId);
    await this.requireOrganiser(manager, caller, meeting, members, 'lobby');
    const waiting = await manager.find(ParticipantRow, {
      where: { meetingId, state: 'waiting' },
      order: { createdAtMs: 'ASC' },
    });
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
    return this.organiserTransaction(
      caller,
      meetingId,
      `lobby.${decision}`,
      sourceIp,
      async (manager, record, meeting, members) => {
        if (meeting.status === 'ended') throw new ConflictError('meeting_ended', 'this meeting has ended');
        const waiting = await manager.find(ParticipantRow, {
          where: {
            meetingId,
            state: 'waiting',
            ...(selection.participantIds !== undefined ? { id: In(selection.participantIds) } : {}),
          },
        });
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
          await manager.update(ParticipantRow, { id: participant.id }, { state, updatedAtMs: now });
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
          await manager.update(MeetingRow, { id: meetingId }, { status: 'live' });
        return () => {
          for (const participant of waiting) {
            this.deps.metrics.lobbyWait.observe((now - Number(participant.createdAtMs)) / 1000);
            if (decision === 'admit') this.deps.metrics.admissions.inc({ via: 'lobby' });
            else this.deps.metrics.refusals.inc({ reason: 'lobby' });
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
    const issued = await this.transaction(async (manager, record) => {
      const { meeting } = await this.load(manager, meetingId);
      const participant = await this.ownParticipant(manager, caller, meetingId, participantId);
      const refusal =
        meeting.status === 'ended'
          ? new ConflictError('meeting_ended', 'this meeting has ended')
          : participant.state === 'removed'
            ? new ForbiddenError('participant_removed', 'you were removed from this meeting')
            : participant.state !== 'admitted'
              ? new ForbiddenError('not_admitted', 'you have not been admitted to this meeting')
              : undefined;
      if (refusal !== undefined) {
        await record({
          action: 'room.ticket',
          outcome: 'failure',
          actor: caller.userId,
          target: participantId,
          reason: refusal.code,
          details: { meeting: meetingId },
          sourceIp,
        });
        return refusal;
      }
      const rights = parseRights(participant.rights);
      const { ticket, expiresAtMs } = await this.deps.tickets.issue({
        userId: caller.userId,
        meetingId,
        participantId,
        name: participant.displayName,
        rights,
        mlsSuite: meeting.e2eeSuite,
      });
      await record({
        action: 'room.ticket',
        outcome: 'success',
        actor: caller.userId,
        target: participantId,
        details: { meeting: meetingId, rights: rights.join(',') },
        sourceIp,
      });
      return {
        ticket,
        expiresAt: new Date(expiresAtMs).toISOString(),
        signallingUrl: this.deps.signallingUrl ?? null,
      };
    });
    if (issued instanceof Error) throw issued;
    return issued;
  }

  /** The caller's own participant record (waiting people see only their state), or any for organisers. */
  async participant(
    caller: Caller,
    meetingId: string,
    participantId: string,
  ): Promise<ParticipantView | { participantId: string; state: ParticipantView['state'] }> {
    const manager = this.deps.dataSource.manager;
    const { meeting, members } = await this.load(manager, meetingId);
    const row = await manager.findOneBy(ParticipantRow, { id: participantId, meetingId });
    const organiser =
      organiserRole(meeting, members, caller.userId) !== null &&
      !(await this.isBarred(manager, meetingId, caller.userId));
    if (row === null || (row.userId !== caller.userId && !organiser))
      throw new NotFoundError('not_found', 'no such participant');
    if (row.state !== 'admitted' && !organiser) return { participantId: row.id, state: row.state };
    return participantView(row, meeting, members);
  }

  /** Organisers and admitted participants: who is in the meeting. */
  async participants(caller: Caller, meetingId: string): Promise<ParticipantView[]> {
    await this.get(caller, meetingId);
    const manager = this.deps.dataSource.manager;
    const { meeting, members } = await this.load(manager, meetingId);
    const rows = await manager.find(ParticipantRow, {
      where: { meetingId, state: 'admitted' },
      order: { createdAtMs: 'ASC' },
    });
    return rows.map((p) => participantView(p, meeting, members));
  }

  /** Requests addressed to the caller's own session (e.g. "please unmute"), collected once. */
  async events(caller: Caller, meetingId: string, participantId: string): Promise<ParticipantEvent[]> {
    await this.ownParticipant(this.deps.dataSource.manager, caller, meetingId, participantId);
    return this.deps.inbox.take(participantId);
  }

  // ------------------------------------------------------------------------------------------------------
  // Organiser powers over the meeting
  // ------------------------------------------------------------------------------------------------------

  async setLocked(
    caller: Caller,
    meetingId: string,
    locked: boolean,
    sourceIp?: string,
  ): Promise<MeetingView> {
    return this.organiserTransaction(
      caller,
      meetingId,
      locked ? 'lock' : 'unlock',
      sourceIp,
      async (manager, record, meeting, members) => {
        if (meeting.status === 'ended') throw new ConflictError('meeting_ended', 'this meeting has ended');
        await manager.update(MeetingRow, { id: meetingId }, { locked });
        await record({
          action: locked ? 'room.lock' : 'room.unlock',
          outcome: 'success',
          actor: caller.userId,
          target: meetingId,
          sourceIp,
        });
        return () => view({ ...meeting, locked }, members);
      },
    );
  }

  /** Ends the meeting for everyone: the SFU closes every session, and no ticket is issued afterwards. */
  async end(caller: Caller, meetingId: string, sourceIp?: string): Promise<MeetingView> {
    return this.organiserTransaction(
      caller,
      meetingId,
      'end',
      sourceIp,
      (manager, record, meeting, members) =>
        this.endMeeting(manager, record, meeting, members, caller.userId, sourceIp),
    );
  }

  /** Administrators (CLI): ends a meeting whoever organises it. */
  async endAsAdministrator(actor: string, meetingId: string): Promise<MeetingView> {
    return this.transaction(async (manager, record) => {
      const { meeting, members } = await this.load(manager, meetingId);
      return (await this.endMeeting(manager, record, meeting, members, actor))();
    });
  }

  async setAutoAdmit(
    caller: Caller,
    meetingId: string,
    users: string[],
    sourceIp?: string,
  ): Promise<MeetingView> {
    return this.organiserTransaction(
      caller,
      meetingId,
      'auto-admit',
      sourceIp,
      async (manager, record, meeting, members) => {
        const wanted = new Set(users.map(userPrincipal));
        const invitees = new Set(
          members.filter((m) => m.principal.startsWith('user:')).map((m) => m.principal),
        );
        const unknown = [...wanted].find((p) => !invitees.has(p));
        if (unknown !== undefined)
          throw new BadRequestError(
            'bad_request',
            'users: only named invitees can be admitted automatically',
          );
        for (const member of members) {
          const autoAdmit = wanted.has(member.principal);
          if (member.autoAdmit !== autoAdmit)
            await manager.update(MeetingMemberRow, { meetingId, principal: member.principal }, { autoAdmit });
          member.autoAdmit = autoAdmit;
        }
        await record({
          action: 'room.auto-admit',
          outcome: 'success',
          actor: caller.userId,
          target: meetingId,
          details: { users: users.length },
          sourceIp,
        });
        return () => view(meeting, members);
      },
    );
  }

  /** Administrators only: let signed-in people who are not invited ask to enter this meeting. */
  async setKnock(
    caller: Caller,
    meetingId: string,
    allowed: boolean,
    sourceIp?: string,
  ): Promise<MeetingView> {
    const result = await this.transaction(async (manager, record) => {
      const { meeting, members } = await this.load(manager, meetingId);
      if (!caller.roles.includes('admin')) {
        await record({
          action: 'room.knock',
          outcome: 'failure',
          actor: caller.userId,
          target: meetingId,
          reason: 'role_missing',
          sourceIp,
        });
        return new ForbiddenError('role_missing', 'only an administrator may change who can knock');
      }
      await manager.update(MeetingRow, { id: meetingId }, { knock: allowed });
      await record({
        action: 'room.knock',
        outcome: 'success',
        actor: caller.userId,
        target: meetingId,
        details: { allowed },
        sourceIp,
      });
      return view({ ...meeting, knock: allowed }, members);
    });
    if (result instanceof Error) throw result;
    return result;
  }

  // ------------------------------------------------------------------------------------------------------
  // Organiser powers over a participant: applied by the SFU first, then stored with their audit entry
  // ------------------------------------------------------------------------------------------------------

  /** Grants or takes back screen sharing; taking it back closes the share now. */
  setShare(
    caller: Caller,
    meetingId: string,
    participantId: string,
    allowed: boolean,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.changeRight(caller, meetingId, participantId, 'share', 'produce:screen', allowed, sourceIp);
  }

  /** Turns a camera off and takes back the right to turn it on (false), or gives it back (true). */
  setCamera(
    caller: Caller,
    meetingId: string,
    participantId: string,
    allowed: boolean,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.changeRight(caller, meetingId, participantId, 'camera', 'produce:video', allowed, sourceIp);
  }

  /** Stops forwarding the participant's microphone (or shared audio). Never turns a microphone on. */
  async mute(
    caller: Caller,
    meetingId: string,
    participantId: string,
    source: MediaSource,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.participantPower(
      caller,
      meetingId,
      participantId,
      'mute',
      sourceIp,
      async (_manager, target, meeting, members) => {
        await this.deps.sfu.pause(meetingId, target.id, source, caller.userId);
        return { details: { source }, after: () => participantView(target, meeting, members) };
      },
    );
  }

  /** Asks the participant's client to unmute; the participant decides. */
  async askUnmute(
    caller: Caller,
    meetingId: string,
    participantId: string,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.participantPower(
      caller,
      meetingId,
      participantId,
      'ask-unmute',
      sourceIp,
      async (_manager, target, meeting, members) => ({
        after: () => {
          this.deps.inbox.post(target.id, {
            type: 'unmute-requested',
            by: caller.userId,
            at: new Date(this.deps.clock.now()).toISOString(),
          });
          return participantView(target, meeting, members);
        },
      }),
    );
  }

  /** Removes a participant (waiting or admitted) and bars the user from this meeting; the SFU rekeys the group. */
  async remove(
    caller: Caller,
    meetingId: string,
    participantId: string,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.participantPower(
      caller,
      meetingId,
      participantId,
      'remove',
      sourceIp,
      async (manager, target, meeting, members) => {
        const sessions = await manager.find(ParticipantRow, {
          where: { meetingId, userId: target.userId, state: In(['waiting', 'admitted']) },
        });
        for (const session of sessions)
          if (session.state === 'admitted')
            await this.deps.sfu.remove(meetingId, session.id, true, caller.userId);
        const now = this.deps.clock.now();
        await manager.update(
          ParticipantRow,
          { meetingId, userId: target.userId, state: In(['waiting', 'admitted']) },
          { state: 'removed', updatedAtMs: now },
        );
        if (target.state !== 'waiting' && target.state !== 'admitted') {
          await manager.update(ParticipantRow, { id: target.id }, { state: 'removed', updatedAtMs: now });
        }
        return {
          details: { user: target.userId },
          after: () => {
            for (const session of sessions) this.deps.inbox.forget(session.id);
            return participantView({ ...target, state: 'removed' }, meeting, members);
          },
        };
      },
      ['waiting', 'admitted', 'refused', 'left'],
    );
  }

  /** Makes an admitted participant a co-organiser of this meeting, with every organiser power. */
  async promote(
    caller: Caller,
    meetingId: string,
    participantId: string,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.participantPower(
      caller,
      meetingId,
      participantId,
      'promote',
      sourceIp,
      async (manager, target, meeting, members) => {
        const rights = withRight(parseRights(target.rights), 'produce:screen', true);
        await this.deps.sfu.setRights(meetingId, target.id, rights, caller.userId);
        const principal = userPrincipal(target.userId);
        const existing = members.find((m) => m.principal === principal);
        if (existing !== undefined)
          await manager.update(MeetingMemberRow, { meetingId, principal }, { role: 'co-organiser' });
        else
          await manager.insert(MeetingMemberRow, {
            meetingId,
            principal,
            role: 'co-organiser',
            autoAdmit: false,
          });
        await manager.update(
          ParticipantRow,
          { id: target.id },
          { rights: formatRights(rights), updatedAtMs: this.deps.clock.now() },
        );
        const updatedMembers = [
          ...members.filter((m) => m.principal !== principal),
          { meetingId, principal, role: 'co-organiser' as const, autoAdmit: existing?.autoAdmit ?? false },
        ];
        return {
          details: { user: target.userId },
          after: () => participantView({ ...target, rights: formatRights(rights) }, meeting, updatedMembers),
        };
      },
    );
  }

  // ------------------------------------------------------------------------------------------------------

  private async changeRight(
    caller: Caller,
    meetingId: string,
    participantId: string,
    power: 'share' | 'camera',
    right: Right,
    allowed: boolean,
    sourceIp?: string,
  ): Promise<ParticipantView> {
    return this.participantPower(
      caller,
      meetingId,
      participantId,
      power,
      sourceIp,
      async (manager, target, meeting, members) => {
        const rights = withRight(parseRights(target.rights), right, allowed);
        await this.deps.sfu.setRights(meetingId, target.id, rights, caller.userId);
        await manager.update(
          ParticipantRow,
          { id: target.id },
          { rights: formatRights(rights), updatedAtMs: this.deps.clock.now() },
        );
        return {
          details: { allowed, rights: rights.join(',') },
          after: () => participantView({ ...target, rights: formatRights(rights) }, meeting, members),
        };
      },
    );
  }

  private async participantPower(
    caller: Caller,
    meetingId: string,
    participantId: string,
    power: Power,
    sourceIp: string | undefined,
    apply: (
      manager: EntityManager,
      target: ParticipantRow,
      meeting: MeetingRow,
      members: MeetingMemberRow[],
    ) => Promise<{ details?: { [key: string]: string | number | boolean }; after: () => ParticipantView }>,
    targetStates: ParticipantRow['state'][] = ['admitted'],
  ): Promise<ParticipantView> {
    return this.organiserTransaction(
      caller,
      meetingId,
      power,
      sourceIp,
      async (manager, record, meeting, members) => {
        if (meeting.status === 'ended') throw new ConflictError('meeting_ended', 'this meeting has ended');
        const target = PARTICIPANT_ID.test(participantId)
          ? await manager.findOneBy(ParticipantRow, { id: participantId, meetingId })
          : null;
        if (target === null) throw new NotFoundError('not_found', 'no such participant in this meeting');
        if (!targetStates.includes(target.state))
          throw new ConflictError('invalid_state', `this participant is ${target.state}`);
        const { details, after } = await apply(manager, target, meeting, members);
        await record({
          action: `room.participant.${power}`,
          outcome: 'success',
          actor: caller.userId,
          target: target.id,
          details: { meeting: meetingId, ...details },
          sourceIp,
        });
        return () => {
          this.deps.metrics.rightsActions.inc({ action: power, outcome: 'success' });
          return after();
        };
      },
    );
  }

  /**
   * Runs an organiser power: a caller who is not an organiser (or was removed) gets 403 `not_organiser`, the
   * refusal is audited, and nothing else changes. `work` returns what to answer once the transaction committed.
   */
  private async organiserTransaction<T>(
    caller: Caller,
    meetingId: string,
    power: string,
    sourceIp: string | undefined,
    work: (
      manager: EntityManager,
      record: AuditAppend,
      meeting: MeetingRow,
      members: MeetingMemberRow[],
    ) => Promise<() => T>,
  ): Promise<T> {
    const outcome = await this.transaction(async (manager, record) => {
      const { meeting, members } = await this.load(manager, meetingId);
      if (
        organiserRole(meeting, members, caller.userId) === null ||
        (await this.isBarred(manager, meetingId, caller.userId))
      ) {
        await record({
          action: 'room.power.denied',
          outcome: 'failure',
          actor: caller.userId,
          target: meetingId,
          reason: 'not_organiser',
          details: { power },
          sourceIp,
        });
        return new ForbiddenError('not_organiser', 'only an organiser of this meeting may do this');
      }
      return work(manager, record, meeting, members);
    });
    if (outcome instanceof Error) {
      this.deps.metrics.rightsActions.inc({ action: power, outcome: 'denied' });
      throw outcome;
    }
    return outcome();
  }

  private async requireOrganiser(
    manager: EntityManager,
    caller: Caller,
    meeting: MeetingRow,
    members: MeetingMemberRow[],
    power: string,
  ): Promise<void> {
    if (
      organiserRole(meeting, members, caller.userId) !== null &&
      !(await this.isBarred(manager, meeting.id, caller.userId))
    )
      return;
    await this.deps.audit.record({
      action: 'room.power.denied',
      outcome: 'failure',
      actor: caller.userId,
      target: meeting.id,
      reason: 'not_organiser',
      details: { power },
    });
    this.deps.metrics.rightsActions.inc({ action: power, outcome: 'denied' });
    throw new ForbiddenError('not_organiser', 'only an organiser of this meeting may do this');
  }

  private async endMeeting(
    manager: EntityManager,
    record: AuditAppend,
    meeting: MeetingRow,
    members: MeetingMemberRow[],
    actor: string,
    sourceIp?: string,
  ): Promise<() => MeetingView> {
    if (meeting.status === 'ended')
      throw new ConflictError('meeting_ended', 'this meeting has already ended');
    await this.deps.sfu.end(meeting.id, actor);
    const now = this.deps.clock.now();
    await manager.update(MeetingRow, { id: meeting.id }, { status: 'ended', endedAtMs: now, locked: true });
    await manager.update(
      ParticipantRow,
      { meetingId: meeting.id, state: In(['waiting', 'admitted']) },
      { state: 'left', updatedAtMs: now },
    );
    await record({ action: 'room.end', outcome: 'success', actor, target: meeting.id, sourceIp });
    return () => view({ ...meeting, status: 'ended', endedAtMs: now, locked: true }, members);
  }

  private async create(
    caller: Caller,
    kind: MeetingRow['kind'],
    request: Omit<InstantMeetingRequest, 'timeZone'> & {
      timeZone: string;
      startsAtMs: number;
      endsAtMs: number;
    },
    sourceIp?: string,
  ): Promise<MeetingView> {
    if (!caller.roles.some((r) => (SCHEDULING_ROLES as readonly string[]).includes(r))) {
      await this.deps.audit.record({
        action: `room.${kind === 'instant' ? 'create' : 'schedule'}`,
        outcome: 'failure',
        actor: caller.userId,
        reason: 'role_missing',
        sourceIp,
      });
      throw new ForbiddenError('role_missing', 'only organisers and administrators may create meetings');
    }
    if (!isTimeZone(request.timeZone))
      throw new BadRequestError('bad_request', 'timeZone: not a known IANA time zone');
    const invitees = new Set(request.invitees);
    const autoAdmit = new Set(request.autoAdmit);
    const unknownAutoAdmit = [...autoAdmit].find((u) => !invitees.has(u));
    if (unknownAutoAdmit !== undefined)
      throw new BadRequestError(
        'bad_request',
        'autoAdmit: only named invitees can be admitted automatically',
      );
    const coOrganisers = new Set(request.coOrganisers.filter((u) => u !== caller.userId));
    const now = this.deps.clock.now();
    const meeting: MeetingRow = {
      id: randomBytes(16).toString('base64url'),
      kind,
      title: request.title,
      startsAtMs: request.startsAtMs,
      endsAtMs: request.endsAtMs,
      timeZone: request.timeZone,
      organiserId: caller.userId,
      classification: request.classification ?? null,
      e2eeSuite: request.e2eeSuite,
      lobby: request.lobby,
      knock: false,
      locked: false,
      status: 'scheduled',
      createdAtMs: now,
      endedAtMs: null,
    };
    const members: MeetingMemberRow[] = [
      ...[...coOrganisers].map((u) => ({
        meetingId: meeting.id,
        principal: userPrincipal(u),
        role: 'co-organiser' as const,
        autoAdmit: false,
      })),
      ...[...invitees]
        .filter((u) => !coOrganisers.has(u) && u !== caller.userId)
        .map((u) => ({
          meetingId: meeting.id,
          principal: userPrincipal(u),
          role: 'invitee' as const,
          autoAdmit: autoAdmit.has(u),
        })),
      ...[...new Set(request.groups)].map((g) => ({
        meetingId: meeting.id,
        principal: groupPrincipal(g),
        role: 'invitee' as const,
        autoAdmit: false,
      })),
    ];
    await this.transaction(async (manager, record) => {
      await manager.insert(MeetingRow, meeting);
      if (members.length > 0) await manager.insert(MeetingMemberRow, members);
      await record({
        action: kind === 'instant' ? 'room.create' : 'room.schedule',
        outcome: 'success',
        actor: caller.userId,
        target: meeting.id,
        details: {
          coOrganisers: [...coOrganisers].join(',').slice(0, 500),
          invitees: invitees.size,
          groups: request.groups.length,
          lobby: request.lobby,
          e2eeSuite: meeting.e2eeSuite,
          ...(meeting.classification !== null ? { classified: true } : {}),
        },
        sourceIp,
      });
    });
    return view(meeting, members);
  }

  private async load(
    manager: EntityManager,
    meetingId: string,
  ): Promise<{ meeting: MeetingRow; members: MeetingMemberRow[] }> {
    const meeting = MEETING_ID.test(meetingId)
      ? await manager.findOneBy(MeetingRow, { id: meetingId })
      : null;
    if (meeting === null) throw new NotFoundError('not_found', 'no such meeting');
    const members = await manager.findBy(MeetingMemberRow, { meetingId });
    return { meeting, members };
  }

  private async isBarred(manager: EntityManager, meetingId: string, userId: string): Promise<boolean> {
    return (await manager.countBy(ParticipantRow, { meetingId, userId, state: 'removed' })) > 0;
  }

  private async ownParticipant(
    manager: EntityManager,
    caller: Caller,
    meetingId: string,
    participantId: string,
  ): Promise<ParticipantRow> {
    const row = PARTICIPANT_ID.test(participantId)
      ? await manager.findOneBy(ParticipantRow, { id: participantId, meetingId })
      : null;
    if (row === null || row.userId !== caller.userId)
      throw new NotFoundError('not_found', 'no such participant');
    return row;
  }

  private transaction<T>(work: (manager: EntityManager, record: AuditAppend) => Promise<T>): Promise<T> {
    return serialisedTransaction(this.deps.dataSource, (manager) =>
      work(manager, async (event) => {
        await this.deps.audit.append(manager, event);
      }),
    );
  }
}

function participantId(): string {
  return `p${randomBytes(12).toString('base64url')}`;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function summary(meeting: MeetingRow): MeetingSummary {
  return {
    id: meeting.id,
    kind: meeting.kind,
    title: meeting.title,
    startsAt: new Date(Number(meeting.startsAtMs)).toISOString(),
    endsAt: new Date(Number(meeting.endsAtMs)).toISOString(),
    timeZone: meeting.timeZone,
    organiser: meeting.organiserId,
    classification: meeting.classification,
    e2eeSuite: meeting.e2eeSuite,
    status: meeting.status,
  };
}

function view(meeting: MeetingRow, members: readonly MeetingMemberRow[]): MeetingView {
  const users = (role: MeetingMemberRow['role']) =>
    members
      .filter((m) => m.role === role && m.principal.startsWith('user:'))
      .map((m) => m.principal.slice('user:'.length))
      .sort();
  return {
    ...summary(meeting),
    coOrganisers: users('co-organiser'),
    invitees: users('invitee'),
    groups: members
      .filter((m) => m.principal.startsWith('group:'))
      .map((m) => m.principal.slice('group:'.length))
      .sort(),
    autoAdmit: members
      .filter((m) => m.autoAdmit)
      .map((m) => m.principal.slice('user:'.length))
      .sort(),
    lobby: Boolean(meeting.lobby),
    knock: Boolean(meeting.knock),
    locked: Boolean(meeting.locked),
  };
}

function participantView(
  participant: ParticipantRow,
  meeting: MeetingRow,
  members: readonly MeetingMemberRow[],
): ParticipantView {
  return {
    participantId: participant.id,
    userId: participant.userId,
    name: participant.displayName,
    state: participant.state,
    role: organiserRole(meeting, members, participant.userId) ?? 'participant',
    rights: parseRights(participant.rights),
  };
}

function joinResponse(
  meeting: MeetingRow,
  participant: ParticipantRow,
  role: 'organiser' | 'co-organiser' | null,
): JoinResponse {
  if (participant.state !== 'admitted') return { participantId: participant.id, state: 'waiting' };
  return {
    participantId: participant.id,
    state: 'admitted',
    role: role ?? 'participant',
    rights: parseRights(participant.rights),
    meeting: { id: meeting.id, title: meeting.title, classification: meeting.classification },
  };
}
