import type { EditMeetingRequest, MeetingView } from '@conclave/protocol';
import {
  BadRequestError,
  ConclaveError,
  ConflictError,
  ForbiddenError,
  type Clock,
} from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import type { MeetingMemberRow, MeetingRow } from '../persistence/entities';
import type { MeetingAccess } from './meeting-access';
import { groupPrincipal, userPrincipal } from './meeting-policy';
import type { MeetingStore } from './meeting-store';
import { isTimeZone } from './meeting-scheduling';
import { view } from './meeting-views';

export interface MeetingEditingDeps {
  store: MeetingStore;
  access: MeetingAccess;
  clock: Clock;
}

const MAX_DURATION_MS = 31 * 86_400_000;

/** Changing and cancelling a meeting before it ends (organisers and co-organisers). */
export class MeetingEditing {
  constructor(private readonly deps: MeetingEditingDeps) {}

  /**
   * Changes the fields given. Refused when the meeting ended or was cancelled, for times that do not make a
   * meeting, for a new E2EE suite once someone entered, and for new co-organisers from anyone but the organiser.
   * The audit entry names the fields that changed (never the title or the label themselves).
   */
  async edit(
    caller: Caller,
    meetingId: string,
    request: EditMeetingRequest,
    sourceIp?: string,
  ): Promise<MeetingView> {
    return this.audited(caller, meetingId, 'room.edit', sourceIp, () =>
      this.deps.access.organiserWrite(
        caller,
        meetingId,
        'edit',
        sourceIp,
        async (records, record, meeting, members) => {
          refuseIfOver(meeting);
          const next = this.editedMeeting(meeting, request);
          const nextMembers = editedMembers(meeting, members, caller, request);
          const changed = changedFields(meeting, next, view(meeting, members), view(next, nextMembers));
          if (changed.includes('e2eeSuite') && meeting.status !== 'scheduled')
            throw new ConflictError(
              'e2ee_suite_locked',
              'the encryption suite cannot change once someone has entered the meeting',
            );
          if (changed.length > 0) {
            await records.editMeeting(meeting.id, {
              title: next.title,
              startsAtMs: next.startsAtMs,
              endsAtMs: next.endsAtMs,
              timeZone: next.timeZone,
              classification: next.classification,
              e2eeSuite: next.e2eeSuite,
              lobby: next.lobby,
            });
            if (changed.some((f) => MEMBER_FIELDS.includes(f)))
              await records.replaceMembers(meeting.id, nextMembers);
            const before = view(meeting, members);
            const after = view(next, nextMembers);
            await record({
              action: 'room.edit',
              outcome: 'success',
              actor: caller.userId,
              target: meeting.id,
              details: {
                changed: changed.join(','),
                ...(changed.includes('invitees')
                  ? {
                      inviteesAdded: after.invitees.filter((u) => !before.invitees.includes(u)).length,
                      inviteesRemoved: before.invitees.filter((u) => !after.invitees.includes(u)).length,
                    }
                  : {}),
                ...(changed.includes('groups') ? { groups: after.groups.length } : {}),
                ...(changed.includes('coOrganisers')
                  ? { coOrganisers: after.coOrganisers.join(',').slice(0, 500) }
                  : {}),
                ...(changed.includes('e2eeSuite') ? { e2eeSuite: next.e2eeSuite } : {}),
                ...(changed.includes('lobby') ? { lobby: next.lobby } : {}),
                ...(changed.includes('classification') ? { classified: next.classification !== null } : {}),
              },
              sourceIp,
            });
          }
          return () => view(next, nextMembers);
        },
      ),
    );
  }

  /**
   * Calls the meeting off before it starts: nobody can join it any more, people waiting in its lobby are let go,
   * and invitees see it as cancelled. A meeting under way is ended instead (`…/end`).
   */
  async cancel(caller: Caller, meetingId: string, sourceIp?: string): Promise<MeetingView> {
    return this.audited(caller, meetingId, 'room.cancel', sourceIp, () =>
      this.deps.access.organiserWrite(
        caller,
        meetingId,
        'cancel',
        sourceIp,
        async (records, record, meeting, members) => {
          refuseIfOver(meeting);
          if (meeting.status !== 'scheduled')
            throw new ConflictError('invalid_state', 'this meeting is under way: end it instead');
          const now = this.deps.clock.now();
          await records.updateMeeting(meeting.id, { status: 'cancelled' });
          await records.updateSessions(meeting.id, ['waiting'], { state: 'left', updatedAtMs: now });
          await record({
            action: 'room.cancel',
            outcome: 'success',
            actor: caller.userId,
            target: meeting.id,
            sourceIp,
          });
          return () => view({ ...meeting, status: 'cancelled' }, members);
        },
      ),
    );
  }

  /** Audits a refusal other than "not an organiser" (already audited) or "no such meeting". */
  private async audited<T>(
    caller: Caller,
    meetingId: string,
    action: string,
    sourceIp: string | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ConclaveError && error.code !== 'not_organiser' && error.code !== 'not_found')
        await this.deps.store.recordDenial({
          action,
          outcome: 'failure',
          actor: caller.userId,
          target: meetingId,
          reason: error.code,
          sourceIp,
        });
      throw error;
    }
  }

  private editedMeeting(meeting: MeetingRow, request: EditMeetingRequest): MeetingRow {
    if (request.timeZone !== undefined && !isTimeZone(request.timeZone))
      throw new BadRequestError('bad_request', 'timeZone: not a known IANA time zone');
    const startsAtMs =
      request.startsAt !== undefined ? Date.parse(request.startsAt) : Number(meeting.startsAtMs);
    const endsAtMs = request.endsAt !== undefined ? Date.parse(request.endsAt) : Number(meeting.endsAtMs);
    if (request.startsAt !== undefined || request.endsAt !== undefined) {
      if (endsAtMs <= startsAtMs) throw new BadRequestError('bad_request', 'endsAt: must be after startsAt');
      if (endsAtMs - startsAtMs > MAX_DURATION_MS)
        throw new BadRequestError('bad_request', 'endsAt: a meeting lasts at most 31 days');
      if (endsAtMs <= this.deps.clock.now())
        throw new BadRequestError('bad_request', 'endsAt: this time has already passed');
    }
    return {
      ...meeting,
      title: request.title ?? meeting.title,
      startsAtMs,
      endsAtMs,
      timeZone: request.timeZone ?? meeting.timeZone,
      classification: request.classification !== undefined ? request.classification : meeting.classification,
      e2eeSuite: request.e2eeSuite ?? meeting.e2eeSuite,
      lobby: request.lobby ?? Boolean(meeting.lobby),
    };
  }
}

const MEMBER_FIELDS: readonly string[] = ['coOrganisers', 'invitees', 'groups', 'autoAdmit'];

function refuseIfOver(meeting: MeetingRow): void {
  if (meeting.status === 'ended') throw new ConflictError('meeting_ended', 'this meeting has ended');
  if (meeting.status === 'cancelled')
    throw new ConflictError('meeting_cancelled', 'this meeting was cancelled');
}

/**
 * Who the meeting is for after the edit: a list given replaces the current one (co-organisers kept keep how they
 * became one). Only the organiser changes the co-organisers.
 */
function editedMembers(
  meeting: MeetingRow,
  members: readonly MeetingMemberRow[],
  caller: Caller,
  request: EditMeetingRequest,
): MeetingMemberRow[] {
  const userOf = (m: MeetingMemberRow) => m.principal.slice('user:'.length);
  const isUser = (m: MeetingMemberRow) => m.principal.startsWith('user:');
  const current = members.filter((m) => m.role === 'co-organiser' && isUser(m));
  const currentIds = current.map(userOf);
  const coOrganisers = new Set((request.coOrganisers ?? currentIds).filter((u) => u !== meeting.organiserId));
  const sameCo = coOrganisers.size === currentIds.length && currentIds.every((u) => coOrganisers.has(u));
  if (!sameCo && caller.userId !== meeting.organiserId)
    throw new ForbiddenError('not_organiser', 'only the organiser may change the co-organisers');
  const invitees = new Set(
    request.invitees ?? members.filter((m) => m.role === 'invitee' && isUser(m)).map(userOf),
  );
  const autoAdmitGiven = request.autoAdmit !== undefined;
  const autoAdmit = new Set(request.autoAdmit ?? members.filter((m) => m.autoAdmit).map(userOf));
  if (autoAdmitGiven && [...autoAdmit].some((u) => !invitees.has(u)))
    throw new BadRequestError('bad_request', 'autoAdmit: only named invitees can be admitted automatically');
  const groups = new Set(
    request.groups ??
      members.filter((m) => m.principal.startsWith('group:')).map((m) => m.principal.slice('group:'.length)),
  );
  const taken = new Set([meeting.organiserId, ...coOrganisers]);
  return [
    ...[...coOrganisers].map(
      (u) =>
        current.find((m) => userOf(m) === u) ?? member(meeting.id, userPrincipal(u), 'co-organiser', false),
    ),
    ...[...invitees]
      .filter((u) => !taken.has(u))
      .map((u) => member(meeting.id, userPrincipal(u), 'invitee', autoAdmit.has(u))),
    ...[...groups].map((g) => member(meeting.id, groupPrincipal(g), 'invitee', false)),
  ];
}

function member(
  meetingId: string,
  principal: string,
  role: MeetingMemberRow['role'],
  autoAdmit: boolean,
): MeetingMemberRow {
  return { meetingId, principal, role, autoAdmit, promoted: false };
}

/** The names of the fields whose value the edit changes. */
function changedFields(
  before: MeetingRow,
  after: MeetingRow,
  beforeView: MeetingView,
  afterView: MeetingView,
): string[] {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  const checks: [string, boolean][] = [
    ['title', before.title === after.title],
    ['startsAt', Number(before.startsAtMs) === Number(after.startsAtMs)],
    ['endsAt', Number(before.endsAtMs) === Number(after.endsAtMs)],
    ['timeZone', before.timeZone === after.timeZone],
    ['classification', before.classification === after.classification],
    ['e2eeSuite', before.e2eeSuite === after.e2eeSuite],
    ['lobby', Boolean(before.lobby) === Boolean(after.lobby)],
    ['coOrganisers', same(beforeView.coOrganisers, afterView.coOrganisers)],
    ['invitees', same(beforeView.invitees, afterView.invitees)],
    ['groups', same(beforeView.groups, afterView.groups)],
    ['autoAdmit', same(beforeView.autoAdmit, afterView.autoAdmit)],
  ];
  return checks.filter(([, unchanged]) => !unchanged).map(([name]) => name);
}
