import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeText, foldLine, meetingIcs, utcDateTime } from './ics';

const octets = (text: string) => new TextEncoder().encode(text).length;

/** Unfolds as a calendar reader does (RFC 5545 §3.1): a line break followed by one space is removed. */
const unfold = (text: string) => text.replace(/\r\n /g, '');

describe('meetingIcs', () => {
  const event = {
    id: 'Qm9hcmQtbWVldGluZy0x',
    domain: 'visio.example.gouv.fr',
    title: 'Comité; budget, sécurité \\ suivi\nsuite',
    startsAt: new Date('2026-12-08T09:30:00+01:00'),
    endsAt: new Date('2026-12-08T10:30:00+01:00'),
    url: 'https://visio.example.gouv.fr/#/join/Qm9hcmQtbWVldGluZy0x',
    now: new Date('2026-12-01T12:00:00.123Z'),
  };

  it('writes one VEVENT with a stable UID, UTC start and end, SUMMARY and URL, CRLF line ends', () => {
    const text = meetingIcs(event);
    assert.ok(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'));
    assert.ok(text.endsWith('END:VEVENT\r\nEND:VCALENDAR\r\n'));
    assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'no bare line feed');
    const lines = unfold(text).split('\r\n');
    assert.ok(lines.includes('UID:Qm9hcmQtbWVldGluZy0x@visio.example.gouv.fr'));
    assert.ok(lines.includes('DTSTART:20261208T083000Z'));
    assert.ok(lines.includes('DTEND:20261208T093000Z'));
    assert.ok(lines.includes('DTSTAMP:20261201T120000Z'));
    assert.ok(lines.includes('SUMMARY:Comité\\; budget\\, sécurité \\\\ suivi\\nsuite'));
    assert.ok(lines.includes(`URL:${event.url}`));
    assert.ok(lines.includes('STATUS:CONFIRMED'));
    assert.equal(meetingIcs({ ...event, now: new Date() }).match(/UID:.*/)?.[0], text.match(/UID:.*/)?.[0]);
  });

  it('marks a cancelled meeting STATUS:CANCELLED', () => {
    assert.match(meetingIcs({ ...event, cancelled: true }), /\r\nSTATUS:CANCELLED\r\n/);
  });

  it('folds every line to at most 75 octets without splitting a character, and unfolds back to the value', () => {
    const title = 'Réunion très importante — ' + 'é'.repeat(60) + ' 🔒 ' + 'x'.repeat(100);
    const text = meetingIcs({ ...event, title, description: `Rejoindre : ${event.url}` });
    for (const line of text.split('\r\n')) assert.ok(octets(line) <= 75, `${octets(line)} octets: ${line}`);
    assert.ok(unfold(text).split('\r\n').includes(`SUMMARY:${title}`));
    assert.ok(unfold(text).split('\r\n').includes(`DESCRIPTION:Rejoindre : ${event.url}`));
  });
});

describe('foldLine', () => {
  it('leaves a line of 75 octets alone and starts continuations with one space', () => {
    assert.equal(foldLine('a'.repeat(75)), 'a'.repeat(75));
    assert.equal(foldLine('a'.repeat(76)), `${'a'.repeat(75)}\r\n a`);
    assert.equal(foldLine('a'.repeat(75 + 74 + 1)), `${'a'.repeat(75)}\r\n ${'a'.repeat(74)}\r\n a`);
  });

  it('moves a two-octet character that would straddle the limit to the next line', () => {
    const folded = foldLine(`${'a'.repeat(74)}é`);
    assert.equal(folded, `${'a'.repeat(74)}\r\n é`);
  });
});

describe('escapeText and utcDateTime', () => {
  it('escapes backslash first, then semicolon, comma and every kind of line break', () => {
    assert.equal(escapeText('a\\b;c,d\r\ne\rf\ng'), 'a\\\\b\\;c\\,d\\ne\\nf\\ng');
  });

  it('writes a UTC date-time without separators or milliseconds', () => {
    assert.equal(utcDateTime(new Date('2027-01-02T03:04:05.678Z')), '20270102T030405Z');
  });
});
