import type { MeetingSummary } from '@conclave/protocol';

/** When a meeting takes place, in the reader's language and the meeting's own time zone (named). */
export function meetingWhen(
  meeting: Pick<MeetingSummary, 'startsAt' | 'endsAt' | 'timeZone'>,
  language: string,
): string {
  const start = new Date(meeting.startsAt);
  const end = new Date(meeting.endsAt);
  const zone = { timeZone: meeting.timeZone };
  const day = new Intl.DateTimeFormat(language, { ...zone, dateStyle: 'full' });
  const hour = new Intl.DateTimeFormat(language, { ...zone, timeStyle: 'short' });
  const endText =
    day.format(start) === day.format(end) ? hour.format(end) : `${day.format(end)} ${hour.format(end)}`;
  return `${day.format(start)}, ${hour.format(start)} – ${endText} (${meeting.timeZone})`;
}

/** The link that opens the meeting's pre-join screen: the id alone lets nobody in (no token, no secret). */
export function joinLink(origin: string, meetingId: string): string {
  return `${origin}/#/join/${encodeURIComponent(meetingId)}`;
}

/** A file name for the meeting's `.ics`: its title in plain letters. */
export function icsFileName(title: string): string {
  const base = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base === '' ? 'meeting' : base}.ics`;
}
