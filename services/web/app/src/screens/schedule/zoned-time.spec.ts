import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instantOf, wallClock } from './zoned-time';

describe('instantOf', () => {
  it('reads a Paris wall clock in winter (UTC+1) and in summer (UTC+2)', () => {
    assert.equal(instantOf('2026-12-08', '09:30', 'Europe/Paris')?.toISOString(), '2026-12-08T08:30:00.000Z');
    assert.equal(instantOf('2026-07-14', '09:30', 'Europe/Paris')?.toISOString(), '2026-07-14T07:30:00.000Z');
  });

  it('reads zones west of UTC and with half-hour offsets', () => {
    assert.equal(
      instantOf('2026-12-08', '23:15', 'America/Montreal')?.toISOString(),
      '2026-12-09T04:15:00.000Z',
    );
    assert.equal(instantOf('2026-12-08', '10:00', 'Asia/Kolkata')?.toISOString(), '2026-12-08T04:30:00.000Z');
  });

  it('puts a time skipped by the change to summer time after the gap, and keeps the hour after it', () => {
    assert.equal(instantOf('2026-03-29', '03:00', 'Europe/Paris')?.toISOString(), '2026-03-29T01:00:00.000Z');
    const skipped = instantOf('2026-03-29', '02:30', 'Europe/Paris')!;
    assert.ok(skipped.getTime() >= Date.parse('2026-03-29T00:30:00Z'));
    assert.ok(skipped.getTime() <= Date.parse('2026-03-29T01:30:00Z'));
  });

  it('refuses text that is not a date or a time, and dates that do not exist', () => {
    for (const [date, time] of [
      ['2026-02-30', '10:00'],
      ['2026-13-01', '10:00'],
      ['08/12/2026', '10:00'],
      ['2026-12-08', '24:00'],
      ['2026-12-08', '9h30'],
      ['', ''],
    ] as const)
      assert.equal(instantOf(date, time, 'Europe/Paris'), undefined, `${date} ${time}`);
  });
});

describe('wallClock', () => {
  it('is the inverse of instantOf', () => {
    const instant = instantOf('2027-01-31', '18:05', 'Pacific/Auckland')!;
    assert.deepEqual(wallClock(instant, 'Pacific/Auckland'), { date: '2027-01-31', time: '18:05' });
    assert.deepEqual(wallClock(new Date('2026-12-08T08:30:00Z'), 'Europe/Paris'), {
      date: '2026-12-08',
      time: '09:30',
    });
  });
});
