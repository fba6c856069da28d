import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meshSubscriptions, roomRateScale } from './room-plan';

describe('meshSubscriptions()', () => {
  it('has every participant consume everyone else, N(N−1) pairs in all', () => {
    assert.deepEqual(meshSubscriptions(3), [
      [1, 2],
      [0, 2],
      [0, 1],
    ]);
    assert.equal(meshSubscriptions(50).flat().length, 50 * 49);
  });
});

describe('roomRateScale()', () => {
  it('keeps the real rate while the room fits the budget', () => {
    assert.equal(roomRateScale(10, 128, 25_000), 1);
  });

  it('slows a room down so its forwarded rate equals the budget', () => {
    const scale = roomRateScale(50, 128, 25_000);
    assert.ok(Math.abs(50 * 49 * 128 * scale - 25_000) < 1e-6);
  });
});
