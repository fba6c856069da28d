import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeetingMemberRow, MeetingRow } from '../persistence/entities';
import {
  authority,
  isAutoAdmitted,
  isInvited,
  mayActOn,
  organiserRole,
  parseRights,
  PARTICIPANT_RIGHTS,
  withRight,
} from './meeting-policy';

const meeting = { organiserId: 'alice' } as MeetingRow;
const members = [
  { principal: 'user:bob', role: 'co-organiser', autoAdmit: false },
  { principal: 'user:carol', role: 'invitee', autoAdmit: true },
  { principal: 'group:ops', role: 'invitee', autoAdmit: false },
] as MeetingMemberRow[];
const caller = (userId: string, groups: string[] = []) => ({ userId, name: userId, roles: [], groups });

test('PARTICIPANT_RIGHTS hold no screen sharing: only organisers share by default', () => {
  assert.equal(PARTICIPANT_RIGHTS.includes('produce:screen'), false);
  assert.deepEqual([...PARTICIPANT_RIGHTS], ['produce:audio', 'produce:video', 'consume', 'chat']);
});

test('organiserRole() names the organiser and co-organisers and nobody else', () => {
  assert.equal(organiserRole(meeting, members, 'alice'), 'organiser');
  assert.equal(organiserRole(meeting, members, 'bob'), 'co-organiser');
  assert.equal(organiserRole(meeting, members, 'carol'), null);
});

test('isInvited() admits users, group members and organisers, and refuses others', () => {
  assert.equal(isInvited(meeting, members, caller('carol')), true);
  assert.equal(isInvited(meeting, members, caller('dave', ['ops'])), true);
  assert.equal(isInvited(meeting, members, caller('bob')), true);
  assert.equal(isInvited(meeting, members, caller('eve', ['sales'])), false);
});

test('isAutoAdmitted() is true only for invitees named for it', () => {
  assert.equal(isAutoAdmitted(members, 'carol'), true);
  assert.equal(isAutoAdmitted(members, 'bob'), false);
});

test('withRight() adds and removes in canonical order; parseRights() ignores unknown names', () => {
  assert.deepEqual(withRight(['consume', 'produce:audio'], 'produce:screen', true), [
    'produce:audio',
    'produce:screen',
    'consume',
  ]);
  assert.deepEqual(withRight(['produce:video', 'consume'], 'produce:video', false), ['consume']);
  assert.deepEqual(parseRights('chat,bogus,consume'), ['consume', 'chat']);
});

test('authority() tells the organiser, the co-organisers named at scheduling and the promoted ones apart', () => {
  const withPromoted = [
    { principal: 'user:bob', role: 'co-organiser', autoAdmit: false, promoted: false },
    { principal: 'user:pat', role: 'co-organiser', autoAdmit: false, promoted: true },
    { principal: 'user:carol', role: 'invitee', autoAdmit: false, promoted: false },
  ] as MeetingMemberRow[];
  assert.deepEqual(
    ['alice', 'bob', 'pat', 'carol'].map((u) => authority(meeting, withPromoted, u)),
    ['owner', 'delegate', 'promoted', null],
  );
});

test('mayActOn() refuses a promoted co-organiser power over the organiser and the named co-organisers only', () => {
  assert.equal(mayActOn('promoted', 'owner'), false);
  assert.equal(mayActOn('promoted', 'delegate'), false);
  assert.equal(mayActOn('promoted', 'promoted'), true);
  assert.equal(mayActOn('promoted', null), true);
  assert.equal(mayActOn('delegate', 'owner'), true);
  assert.equal(mayActOn('owner', 'delegate'), true);
});
