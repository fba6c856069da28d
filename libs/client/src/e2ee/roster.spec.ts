import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MemberInfo } from '@conclave/e2ee';
import { membershipChanges, peopleOf } from './roster';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

/** A member whose credential is a (unsigned here: the roster only reads what the MLS layer verified) statement. */
function member(leafIndex: number, userId: string, name: string, pid: string, key: number): MemberInfo {
  const payload = {
    iss: 'conclave-rooms',
    aud: 'conclave-mls',
    sub: userId,
    room: 'm',
    pid,
    name,
    spk: Buffer.alloc(97, key).toString('base64url'),
    iat: 1,
    exp: 2,
  };
  const credential = new TextEncoder().encode(`${b64('{}')}.${b64(JSON.stringify(payload))}.${b64('sig')}`);
  return { leafIndex, userId, signaturePublicKey: new Uint8Array(97).fill(key), credential };
}

describe('roster', () => {
  const alice = member(0, 'alice', 'Alice Martin', 'p1', 1);
  const bobLaptop = member(1, 'bob', 'Bob Durand', 'p2', 2);
  const bobPhone = member(2, 'bob', 'Bob Durand', 'p3', 3);

  test('peopleOf() groups devices by user, with the display name and the device count', () => {
    assert.deepEqual(peopleOf([alice, bobLaptop, bobPhone]), [
      { userId: 'alice', displayName: 'Alice Martin', devices: 1, participantIds: ['p1'] },
      { userId: 'bob', displayName: 'Bob Durand', devices: 2, participantIds: ['p2', 'p3'] },
    ]);
  });

  test('membershipChanges() reports each device that joined or left, with the count after the change', () => {
    assert.deepEqual(
      membershipChanges([alice, bobLaptop], [alice, bobLaptop, bobPhone]).map((c) => [
        c.kind,
        c.participantId,
        c.devices,
      ]),
      [['joined', 'p3', 2]],
    );
    assert.deepEqual(
      membershipChanges([alice, bobLaptop, bobPhone], [alice, bobPhone]).map((c) => [
        c.kind,
        c.participantId,
        c.devices,
      ]),
      [['left', 'p2', 1]],
    );
  });

  test('membershipChanges() sees a new key at a reused leaf as one member leaving and another joining', () => {
    const mallory = member(1, 'bob', 'Bob Durand', 'p9', 9);
    assert.deepEqual(
      membershipChanges([alice, bobLaptop], [alice, mallory]).map((c) => [c.kind, c.participantId]),
      [
        ['left', 'p2'],
        ['joined', 'p9'],
      ],
    );
  });
});
