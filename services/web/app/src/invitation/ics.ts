/**
 * An iCalendar (RFC 5545) file for one meeting, built in the browser: nothing but the title, the times, the link
 * and the status goes in (no token, no invitee list).
 */
export interface CalendarEvent {
  /** The meeting id: the event's UID stays the same for the meeting, so a calendar updates it in place. */
  id: string;
  /** The host the UID is scoped to (RFC 5545 §3.8.4.7 recommends a domain on the right-hand side). */
  domain: string;
  title: string;
  startsAt: Date;
  endsAt: Date;
  /** The join link. */
  url: string;
  /** A short plain-text description (e.g. the join link again, in the reader's language). */
  description?: string;
  cancelled?: boolean;
  /** When the file was made (DTSTAMP). */
  now: Date;
}

const CRLF = '\r\n';
/** RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_LINE_OCTETS = 75;

/** The calendar text: CRLF line ends, long lines folded, text values escaped. */
export function meetingIcs(event: CalendarEvent): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Conclave//Meeting client//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${escapeText(`${event.id}@${event.domain}`)}`,
    `DTSTAMP:${utcDateTime(event.now)}`,
    `DTSTART:${utcDateTime(event.startsAt)}`,
    `DTEND:${utcDateTime(event.endsAt)}`,
    `SUMMARY:${escapeText(event.title)}`,
    `URL:${event.url}`,
    ...(event.description !== undefined ? [`DESCRIPTION:${escapeText(event.description)}`] : []),
    `STATUS:${event.cancelled === true ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** RFC 5545 §3.3.5, form #2 (UTC): `19980119T070000Z`. */
export function utcDateTime(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** RFC 5545 §3.3.11: backslash, semicolon and comma are escaped; a line break becomes `\n`. */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * RFC 5545 §3.1: a line longer than 75 octets is split, each continuation starting with one space; a split never
 * falls inside a UTF-8 character.
 */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // The first line holds 75 octets; a continuation's leading space takes one of its 75.
    const limit = parts.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}
