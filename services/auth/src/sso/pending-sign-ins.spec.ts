import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@conclave/server-kit';
import { PendingSignIns } from './pending-sign-ins';

test('add() refuses with rate_limited past the per-source and total limits and never evicts a live entry', () => {
  const clock = new ManualClock(0);
  const pending = new PendingSignIns<string>(clock, { capacity: 5, perSource: 2, ttlMs: 1000 });
  pending.add('real', 'user', 'r');
  pending.add('a1', 'attacker', 'x');
  pending.add('a2', 'attacker', 'x');
  assert.throws(() => pending.add('a3', 'attacker', 'x'), { code: 'rate_limited' });
  pending.add('b1', 'b', 'x');
  pending.add('c1', 'c', 'x');
  assert.throws(() => pending.add('d1', 'd', 'x'), { code: 'rate_limited' });
  assert.equal(pending.size, 5);
  assert.equal(pending.take('real'), 'r');
  assert.equal(pending.take('real'), undefined);
  clock.advance(1001);
  pending.add('d1', 'd', 'x');
  assert.equal(pending.size, 1);
  assert.equal(pending.peek('a1'), undefined);
});
