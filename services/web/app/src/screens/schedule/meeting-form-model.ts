import type { E2eeSuite, EditMeetingRequest, MeetingView, ScheduleMeetingRequest } from '@conclave/protocol';
import type { DirectoryEntry } from '../../directory/directory-picker';
import { instantOf, wallClock } from './zoned-time';

/** What the schedule / edit form holds. */
export interface MeetingFormValues {
  title: string;
  /** `YYYY-MM-DD`, in `timeZone`. */
  date: string;
  /** `HH:MM`, in `timeZone`. */
  time: string;
  timeZone: string;
  /** Minutes, as typed. */
  duration: string;
  /** Users and directory groups. */
  invitees: DirectoryEntry[];
  coOrganisers: DirectoryEntry[];
  classification: string;
  e2eeSuite: E2eeSuite;
  lobby: boolean;
  /** Named invitees enter without waiting in the lobby. */
  autoAdmitInvitees: boolean;
}

/** The fields, in the order the form shows them (focus goes to the first one in error). */
export const FIELDS = ['title', 'date', 'time', 'timeZone', 'duration', 'classification'] as const;
export type Field = (typeof FIELDS)[number];

/** Why a field is refused: a key under `schedule.errors`. */
export type FieldErrors = Partial<Record<Field, string>>;

const MAX_MINUTES = 31 * 24 * 60;

/** Default values for a new meeting: the next full hour, one hour long, in the browser's zone. */
export function newMeetingValues(now: Date, timeZone: string): MeetingFormValues {
  const next = new Date(Math.ceil((now.getTime() + 60_000) / 3_600_000) * 3_600_000);
  return {
    title: '',
    ...wallClock(next, timeZone),
    timeZone,
    duration: '60',
    invitees: [],
    coOrganisers: [],
    classification: '',
    e2eeSuite: 'aes256',
    lobby: true,
    autoAdmitInvitees: false,
  };
}

/** The form's values for an existing meeting, shown in its own time zone. */
export function valuesOf(meeting: MeetingView): MeetingFormValues {
  const start = new Date(meeting.startsAt);
  const user = (id: string): DirectoryEntry => ({ kind: 'user', id, displayName: id });
  return {
    title: meeting.title,
    ...wallClock(start, meeting.timeZone),
    timeZone: meeting.timeZone,
    duration: String(Math.round((Date.parse(meeting.endsAt) - start.getTime()) / 60_000)),
    invitees: [
      ...meeting.invitees.map(user),
      ...meeting.groups.map((id): DirectoryEntry => ({ kind: 'group', id, displayName: id })),
    ],
    coOrganisers: meeting.coOrganisers.map(user),
    classification: meeting.classification ?? '',
    e2eeSuite: meeting.e2eeSuite,
    lobby: meeting.lobby,
    autoAdmitInvitees: meeting.autoAdmit.length > 0,
  };
}

/** Field errors (empty when the values make a meeting), checked as the server would. */
export function validate(values: MeetingFormValues, knownZones: readonly string[], now: Date): FieldErrors {
  const errors: FieldErrors = {};
  if (values.title.trim() === '') errors.title = 'titleRequired';
  else if (values.title.trim().length > 200) errors.title = 'titleLong';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.date) || instantOf(values.date, '12:00', 'UTC') === undefined)
    errors.date = 'date';
  if (instantOf('2000-01-01', values.time, 'UTC') === undefined) errors.time = 'time';
  if (!knownZones.includes(values.timeZone)) errors.timeZone = 'timeZone';
  const minutes = Number(values.duration);
  if (!/^\d+$/.test(values.duration.trim()) || minutes < 5 || minutes > MAX_MINUTES)
    errors.duration = 'duration';
  if (values.classification.trim().length > 64) errors.classification = 'classification';
  const range = timesOf(values);
  if (errors.date === undefined && errors.time === undefined && errors.duration === undefined && range)
    if (range.endsAt.getTime() <= now.getTime()) errors.time = 'past';
  return errors;
}

function timesOf(values: MeetingFormValues): { startsAt: Date; endsAt: Date } | undefined {
  const startsAt = instantOf(values.date, values.time, values.timeZone);
  if (startsAt === undefined) return undefined;
  return { startsAt, endsAt: new Date(startsAt.getTime() + Number(values.duration) * 60_000) };
}

function members(values: MeetingFormValues) {
  const invitees = values.invitees.filter((e) => e.kind === 'user').map((e) => e.id);
  return {
    invitees,
    groups: values.invitees.filter((e) => e.kind === 'group').map((e) => e.id),
    coOrganisers: values.coOrganisers.filter((e) => e.kind === 'user').map((e) => e.id),
    autoAdmit: values.autoAdmitInvitees ? invitees : [],
  };
}

/** `POST /meetings` from valid values. */
export function scheduleRequest(values: MeetingFormValues): ScheduleMeetingRequest {
  const { startsAt, endsAt } = timesOf(values)!;
  const classification = values.classification.trim();
  return {
    title: values.title.trim(),
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    timeZone: values.timeZone,
    ...members(values),
    ...(classification !== '' ? { classification } : {}),
    e2eeSuite: values.e2eeSuite,
    lobby: values.lobby,
  };
}

/**
 * `PATCH /meetings/{id}` from valid values. The co-organisers are left out for someone who may not change them,
 * and the times when they did not change (a meeting under way keeps its start even if it is now past).
 */
export function editRequest(
  values: MeetingFormValues,
  meeting: MeetingView,
  mayChangeCoOrganisers: boolean,
): EditMeetingRequest {
  const { startsAt, endsAt } = timesOf(values)!;
  const { coOrganisers, ...rest } = members(values);
  const classification = values.classification.trim();
  const sameStart = startsAt.getTime() === Date.parse(meeting.startsAt);
  const sameEnd = endsAt.getTime() === Date.parse(meeting.endsAt);
  return {
    title: values.title.trim(),
    ...(sameStart && sameEnd ? {} : { startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() }),
    timeZone: values.timeZone,
    ...rest,
    ...(mayChangeCoOrganisers ? { coOrganisers } : {}),
    classification: classification !== '' ? classification : null,
    ...(values.e2eeSuite !== meeting.e2eeSuite ? { e2eeSuite: values.e2eeSuite } : {}),
    lobby: values.lobby,
  };
}
