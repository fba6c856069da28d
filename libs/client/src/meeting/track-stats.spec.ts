import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trackStatsOf } from './track-stats';

describe('trackStatsOf', () => {
  it('reads round trip from the nominated candidate pair, loss and frame height from inbound-rtp', () => {
    const stats = trackStatsOf([
      { type: 'candidate-pair', nominated: false, currentRoundTripTime: 0.9 },
      { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.042 },
      { type: 'inbound-rtp', packetsReceived: 950, packetsLost: 50, frameHeight: 180 },
    ]);
    assert.deepEqual(stats, {
      roundTripMs: 42,
      loss: 0.05,
      frameHeight: 180,
      packetsReceived: 950,
      packetsLost: 50,
    });
  });

  it('returns undefined without an inbound-rtp entry, and zero loss before any packet', () => {
    assert.equal(trackStatsOf([{ type: 'transport' }]), undefined);
    assert.deepEqual(trackStatsOf([{ type: 'inbound-rtp' }]), {
      roundTripMs: undefined,
      loss: 0,
      frameHeight: undefined,
      packetsReceived: 0,
      packetsLost: 0,
    });
  });
});
