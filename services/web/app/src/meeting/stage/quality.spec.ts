import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { qualityOf, recentLoss } from './quality';

describe('qualityOf', () => {
  it('grades low loss and a short round trip good, then fair, then poor', () => {
    assert.equal(qualityOf({ roundTripMs: 20, loss: 0 }), 'good');
    assert.equal(qualityOf({ roundTripMs: undefined, loss: 0.01 }), 'good');
    assert.equal(qualityOf({ roundTripMs: 300, loss: 0 }), 'fair');
    assert.equal(qualityOf({ roundTripMs: 20, loss: 0.05 }), 'fair');
    assert.equal(qualityOf({ roundTripMs: 600, loss: 0 }), 'poor');
    assert.equal(qualityOf({ roundTripMs: 20, loss: 0.2 }), 'poor');
  });
});

describe('recentLoss', () => {
  it('measures loss over the last interval from cumulative counters', () => {
    const before = { packetsReceived: 1000, packetsLost: 100 };
    assert.equal(recentLoss(before, { packetsReceived: 1100, packetsLost: 100, loss: 0.08 }), 0);
    assert.equal(recentLoss(before, { packetsReceived: 1090, packetsLost: 110, loss: 0.09 }), 0.1);
    assert.equal(recentLoss(undefined, { packetsReceived: 10, packetsLost: 0, loss: 0.5 }), 0.5);
    assert.equal(recentLoss(before, { ...before, loss: 0.09 }), 0, 'nothing received, nothing lost');
  });
});
