import type { JoinResponse, MeetingSummary, MeetingView, ParticipantView } from '@conclave/protocol';
import type { MeetingMemberRow, MeetingRow, ParticipantRow } from '../persistence/entities';
import { organiserRole, parseRights } from './meeting-policy';

/** What the API shows of meetings and participants, built from stored rows. */

export function summary(meeting: MeetingRow): MeetingSummary {
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

export function view(meeting: MeetingRow, members: readonly MeetingMemberRow[]): MeetingView {
  const users = (role: MeetingMemberRow['role']) =>
    members
      .filter((m) => m.role === role && m.principal.startsWith('user:'))
      .map((m) => m.principal.slice('user:'.length))
      .sort();
  return {
    ...summary(meeting),
    title: meeting.title,
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

export function participantView(
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

export function joinResponse(
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
