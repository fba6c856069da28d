import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MeetingLifecycle } from './meeting-lifecycle';

describe('MeetingLifecycle', () => {
  it('joining → joined on connected, then reconnecting on a lost connection with a first attempt', () => {
    const life = new MeetingLifecycle({ baseDelayMs: 100 });
    assert.equal(life.phase, 'joining');
    assert.deepEqual(life.apply({ type: 'connected' }), { type: 'none' });
    assert.equal(life.phase, 'joined');
    assert.deepEqual(life.apply({ type: 'connection-lost', code: 1006 }), {
      type: 'reconnect',
      attempt: 1,
      delayMs: 100,
    });
    assert.equal(life.phase, 'reconnecting');
    assert.equal(life.attempt, 1);
  });

  it('reconnecting → joined when a rejoin connects, and the attempt count starts over next time', () => {
    const life = new MeetingLifecycle({ baseDelayMs: 100 });
    life.apply({ type: 'connected' });
    life.apply({ type: 'connection-lost', code: 1006 });
    life.apply({ type: 'attempt-failed' });
    life.apply({ type: 'connected' });
    assert.equal(life.phase, 'joined');
    assert.deepEqual(life.apply({ type: 'connection-lost', code: 1001 }), {
      type: 'reconnect',
      attempt: 1,
      delayMs: 100,
    });
  });

  it('retries transient failures with doubling delays, then ends as unreachable after maxAttempts', () => {
    const life = new MeetingLifecycle({ baseDelayMs: 100, maxAttempts: 3 });
    life.apply({ type: 'connected' });
    const actions = [
      life.apply({ type: 'connection-lost', code: 1006 }),
      life.apply({ type: 'attempt-failed' }),
      life.apply({ type: 'attempt-failed', code: 'service_unavailable' }),
      life.apply({ type: 'attempt-failed' }),
    ];
    assert.deepEqual(actions, [
      { type: 'reconnect', attempt: 1, delayMs: 100 },
      { type: 'reconnect', attempt: 2, delayMs: 200 },
      { type: 'reconnect', attempt: 3, delayMs: 400 },
      { type: 'end', reason: 'unreachable' },
    ]);
    assert.equal(life.phase, 'ended');
  });

  it('ends with refused and the code when a rejoin is refused by decision (not admitted, removed)', () => {
    for (const code of ['not_admitted', 'participant_removed', 'meeting_ended', 'ticket_superseded']) {
      const life = new MeetingLifecycle();
      life.apply({ type: 'connected' });
      life.apply({ type: 'connection-lost', code: 1006 });
      assert.deepEqual(life.apply({ type: 'attempt-failed', code }), {
        type: 'end',
        reason: 'refused',
        detail: code,
      });
    }
  });

  it('ends without rejoining when the SFU closed the connection as removed or replaced', () => {
    const removed = new MeetingLifecycle();
    removed.apply({ type: 'connected' });
    assert.deepEqual(removed.apply({ type: 'connection-lost', code: 4003 }), {
      type: 'end',
      reason: 'removed-by-organiser',
    });
    const replaced = new MeetingLifecycle();
    replaced.apply({ type: 'connected' });
    assert.deepEqual(replaced.apply({ type: 'connection-lost', code: 4002 }), {
      type: 'end',
      reason: 'replaced',
    });
  });

  it('a removal or leaving ends the meeting for good: later inputs do nothing', () => {
    const life = new MeetingLifecycle();
    life.apply({ type: 'connected' });
    assert.deepEqual(life.apply({ type: 'removed', reason: 'room-ended' }), {
      type: 'end',
      reason: 'room-ended',
    });
    assert.deepEqual(life.apply({ type: 'connection-lost', code: 1006 }), { type: 'none' });
    assert.deepEqual(life.apply({ type: 'connected' }), { type: 'none' });
    assert.equal(life.phase, 'ended');
    const left = new MeetingLifecycle();
    assert.deepEqual(left.apply({ type: 'leave' }), { type: 'end', reason: 'left' });
  });

  it('a first join that fails ends the meeting (refused with its code, or unreachable) instead of retrying', () => {
    const refused = new MeetingLifecycle();
    assert.deepEqual(refused.apply({ type: 'attempt-failed', code: 'invalid_ticket' }), {
      type: 'end',
      reason: 'refused',
      detail: 'invalid_ticket',
    });
    const unreachable = new MeetingLifecycle();
    assert.deepEqual(unreachable.apply({ type: 'attempt-failed' }), { type: 'end', reason: 'unreachable' });
  });

  it('a connection lost again while rejoining waits for that attempt to fail instead of starting another', () => {
    const life = new MeetingLifecycle();
    life.apply({ type: 'connected' });
    life.apply({ type: 'connection-lost', code: 1006 });
    assert.deepEqual(life.apply({ type: 'connection-lost', code: 1006 }), { type: 'none' });
    assert.equal(life.attempt, 1);
  });
});
