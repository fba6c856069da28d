import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConclaveError, ManualClock } from '@conclave/server-kit';
import { PowersLedger } from './powers-ledger';

const RETENTION_MS = 400_000;

function ledger() {
  const clock = new ManualClock();
  return { clock, ledger: new PowersLedger({ clock, retentionMs: RETENTION_MS, clockToleranceSeconds: 5 }) };
}

function codeOf(admit: () => void): string {
  try {
    admit();
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof ConclaveError);
    return error.code;
  }
}

describe('PowersLedger', () => {
  const iatAt = (clock: ManualClock) => Math.floor(clock.now() / 1000);

  test('admit() refuses a ticket older than its session change, user bar or meeting end, and accepts one as new', () => {
    const { clock, ledger: l } = ledger();
    const iat = iatAt(clock);
    l.changed('m', 'p1', 4);
    l.barred('m', 'mallory', 6);
    l.ended('n', 9);
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p1', sub: 'carol', pv: 3, iat })),
      'ticket_superseded',
    );
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p1', sub: 'carol', pv: 4, iat })),
      'ok',
    );
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p9', sub: 'mallory', pv: 5, iat })),
      'participant_removed',
    );
    assert.equal(
      codeOf(() => l.admit({ room: 'n', pid: 'p1', sub: 'carol', pv: 8, iat })),
      'meeting_ended',
    );
    assert.equal(
      codeOf(() => l.admit({ room: 'other', pid: 'p1', sub: 'carol', pv: 0, iat })),
      'ok',
    );
  });

  test('a change recorded out of order never lowers the version a ticket must reach', () => {
    const { clock, ledger: l } = ledger();
    l.changed('m', 'p1', 7);
    l.changed('m', 'p1', 5);
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p1', sub: 'carol', pv: 6, iat: iatAt(clock) })),
      'ticket_superseded',
    );
  });

  test('admit() refuses a ticket issued before one already used for its session, and one issued before the SFU started', () => {
    const { clock, ledger: l } = ledger();
    const iat = iatAt(clock);
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p1', sub: 'carol', pv: 0, iat: iat + 2 })),
      'ok',
    );
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p1', sub: 'carol', pv: 0, iat })),
      'ticket_superseded',
    );
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p2', sub: 'dave', pv: 0, iat: iat - 6 })),
      'ticket_superseded',
    );
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p3', sub: 'erin', pv: 0, iat: iat - 4 })),
      'ok',
    );
  });

  test('records are forgotten once every ticket issued before them has expired, not before', () => {
    const { clock, ledger: l } = ledger();
    l.barred('m', 'mallory', 3);
    clock.advance(RETENTION_MS - 1000);
    l.changed('x', 'p1', 1);
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p1', sub: 'mallory', pv: 2, iat: iatAt(clock) })),
      'participant_removed',
    );
    clock.advance(2000);
    l.changed('x', 'p1', 2);
    assert.equal(
      codeOf(() => l.admit({ room: 'm', pid: 'p1', sub: 'mallory', pv: 2, iat: iatAt(clock) })),
      'ok',
    );
  });
});
