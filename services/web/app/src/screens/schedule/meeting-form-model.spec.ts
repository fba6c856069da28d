import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MeetingView } from '@conclave/protocol';
import { editRequest, newMeetingValues, scheduleRequest, validate, valuesOf } from './meeting-form-model';

const ZONES = ['Europe/Paris', 'UTC', 'America/Montreal'];
const NOW = new Date('2026-12-08T08:10:00Z');

describe('meeting form model', () => {
  it('starts a new meeting at the next full hour, one hour long, in the given zone', () => {
    const values = newMeetingValues(NOW, 'Europe/Paris');
    assert.deepEqual([values.date, values.time, values.duration], ['2026-12-08', '10:00', '60']);
    assert.deepEqual(validate({ ...values, title: 'Point' }, ZONES, NOW), {});
  });

  it('names each field in error: empty title, impossible date, bad time, unknown zone, duration, past', () => {
    const values = { ...newMeetingValues(NOW, 'Europe/Paris'), title: ' ' };
    assert.deepEqual(
      validate(
        { ...values, date: '2026-02-30', time: '25:00', timeZone: 'Mars/Base', duration: '0' },
        ZONES,
        NOW,
      ),
      { title: 'titleRequired', date: 'date', time: 'time', timeZone: 'timeZone', duration: 'duration' },
    );
    assert.deepEqual(validate({ ...values, title: 'x', date: '2026-12-07' }, ZONES, NOW), { time: 'past' });
    assert.deepEqual(validate({ ...values, title: 'x', classification: 'x'.repeat(65) }, ZONES, NOW), {
      classification: 'classification',
    });
  });

  it('builds the schedule request in UTC with users, groups, co-organisers and auto-admitted invitees', () => {
    const request = scheduleRequest({
      ...newMeetingValues(NOW, 'Europe/Paris'),
      title: ' Comité ',
      duration: '90',
      invitees: [
        { kind: 'user', id: 'u-carol', displayName: 'Carol' },
        { kind: 'group', id: 'Security Team', displayName: 'Security Team' },
      ],
      coOrganisers: [{ kind: 'user', id: 'u-bob', displayName: 'Bob' }],
      e2eeSuite: 'xwing-pq',
      autoAdmitInvitees: true,
    });
    assert.deepEqual(request, {
      title: 'Comité',
      startsAt: '2026-12-08T09:00:00.000Z',
      endsAt: '2026-12-08T10:30:00.000Z',
      timeZone: 'Europe/Paris',
      invitees: ['u-carol'],
      groups: ['Security Team'],
      coOrganisers: ['u-bob'],
      autoAdmit: ['u-carol'],
      e2eeSuite: 'xwing-pq',
      lobby: true,
    });
  });

  it('edits send unchanged times and suite as nothing, and leave co-organisers out when not allowed', () => {
    const meeting: MeetingView = {
      id: 'm1',
      kind: 'scheduled',
      title: 'Comité',
      startsAt: '2026-12-08T09:00:00.000Z',
      endsAt: '2026-12-08T10:00:00.000Z',
      timeZone: 'Europe/Paris',
      organiser: 'u-olivia',
      classification: 'DR',
      e2eeSuite: 'xwing-pq',
      status: 'live',
      coOrganisers: ['u-bob'],
      invitees: ['u-carol'],
      groups: [],
      autoAdmit: [],
      lobby: true,
      knock: false,
      locked: false,
    };
    const values = { ...valuesOf(meeting), title: 'Comité (suite)', classification: '' };
    assert.deepEqual([values.date, values.time, values.duration], ['2026-12-08', '10:00', '60']);
    assert.deepEqual(editRequest(values, meeting, false), {
      title: 'Comité (suite)',
      timeZone: 'Europe/Paris',
      invitees: ['u-carol'],
      groups: [],
      autoAdmit: [],
      classification: null,
      lobby: true,
    });
    assert.deepEqual(editRequest({ ...values, time: '11:00' }, meeting, true).coOrganisers, ['u-bob']);
    assert.equal(
      editRequest({ ...values, time: '11:00' }, meeting, true).startsAt,
      '2026-12-08T10:00:00.000Z',
    );
  });
});
