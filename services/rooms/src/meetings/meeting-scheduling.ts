import { randomBytes } from 'node:crypto';
import type {
  InstantMeetingRequest,
  MeetingSummary,
  MeetingView,
  ScheduleMeetingRequest,
} from '@conclave/protocol';
import { BadRequestError, ForbiddenError, type Clock } from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import type { MeetingMemberRow, MeetingRow, ParticipantRow } from '../persistence/entities';
import type { MeetingAccess } from './meeting-access';
import {
  groupPrincipal,
  isAutoAdmitted,
  organiserRole,
  SCHEDULING_ROLES,
  userPrincipal,
} from './meeting-policy';
import type { MeetingStore } from './meeting-store';
import { summary, view } from './meeting-views';

export interface MeetingSchedulingDeps {
  store: MeetingStore;
  access: MeetingAccess;
  clock: Clock;
  instantDurationMinutes: number;
}

type CreateRequest = Omit<InstantMeetingRequest, 'timeZone'> & {
  timeZone: string;
  startsAtMs: number;
  endsAtMs: number;
};

/** Creating meetings (scheduled or instant) and reading them back. */
export class MeetingScheduling {
  constructor(private readonly deps: MeetingSchedulingDeps) {}

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

  /**
   * Meetings the caller organises or is invited to (directly or through a group), not ended. The title and the
   * classification label are shown only to whom entering would show them: organisers, admitted participants,
   * and invitees who would be admitted without waiting; to anyone else (a lobby ahead, waiting, refused, removed)
   * they are null, as a waiting person sees nothing of the meeting.
   */
  async listMine(caller: Caller): Promise<MeetingSummary[]> {
    const records = this.deps.store.read;
    const principals = [userPrincipal(caller.userId), ...caller.groups.slice(0, 256).map(groupPrincipal)];
    const meetings = (await records.meetingsFor(caller.userId, principals)).filter(
      (m) => m.status !== 'ended',
    );
    const ids = meetings.map((m) => m.id);
    const members = await records.membersOf(ids);
    const sessions = await records.sessionsOfUser(caller.userId, ids);
    return meetings.map((meeting) => {
      const own = sessions.filter((p) => p.meetingId === meeting.id).map((p) => p.state);
      return mayReadTitle(
        meeting,
        members.filter((m) => m.meetingId === meeting.id),
        caller,
        own,
      )
        ? summary(meeting)
        : { ...summary(meeting), title: null, classification: null };
    });
  }

  /** Administrators: every meeting not yet purged. */
  async listAll(): Promise<MeetingSummary[]> {
    return (await this.deps.store.read.allMeetings()).map(summary);
  }

  /** Organisers and admitted participants see the meeting; a waiting person sees nothing of it. */
  async get(caller: Caller, meetingId: string): Promise<MeetingView> {
    const records = this.deps.store.read;
    const { meeting, members } = await records.load(meetingId);
    await this.deps.access.requireAttendee(records, caller, meeting, members);
    return view(meeting, members);
  }

  private async create(
    caller: Caller,
    kind: MeetingRow['kind'],
    request: CreateRequest,
    sourceIp?: string,
  ): Promise<MeetingView> {
    if (!caller.roles.some((r) => (SCHEDULING_ROLES as readonly string[]).includes(r))) {
      await this.deps.store.recordDenial({
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
      powersVersion: 0,
      createdAtMs: now,
      endedAtMs: null,
    };
    const members: MeetingMemberRow[] = [
      ...[...coOrganisers].map((u) => ({
        meetingId: meeting.id,
        principal: userPrincipal(u),
        role: 'co-organiser' as const,
        autoAdmit: false,
        promoted: false,
      })),
      ...[...invitees]
        .filter((u) => !coOrganisers.has(u) && u !== caller.userId)
        .map((u) => ({
          meetingId: meeting.id,
          principal: userPrincipal(u),
          role: 'invitee' as const,
          autoAdmit: autoAdmit.has(u),
          promoted: false,
        })),
      ...[...new Set(request.groups)].map((g) => ({
        meetingId: meeting.id,
        principal: groupPrincipal(g),
        role: 'invitee' as const,
        autoAdmit: false,
        promoted: false,
      })),
    ];
    await this.deps.store.write(async (records, record) => {
      await records.insertMeeting(meeting, members);
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
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function mayReadTitle(
  meeting: MeetingRow,
  members: readonly MeetingMemberRow[],
  caller: Caller,
  states: readonly ParticipantRow['state'][],
): boolean {
  if (states.includes('removed')) return false;
  if (organiserRole(meeting, members, caller.userId) !== null || states.includes('admitted')) return true;
  if (states.includes('refused') || states.includes('waiting')) return false;
  return !meeting.lobby || isAutoAdmitted(members, caller.userId);
}
