import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lowerMedian, summarizeFixedLoad } from './fixed-load';
import type { PointResult } from './measure-point';

const rep = (
  forwardedPerCoreSecond: number | null,
  cores: number,
  loss: number,
  p50: number,
  p99 = 10 * p50,
) =>
  ({
    forwardedPerCoreSecond,
    target: { cores },
    loss,
    latencyUs: { samples: 1000, p50, p90: 5 * p50, p99, p999: p99 + 1, max: p99 + 2 },
  }) as unknown as PointResult;

describe('lowerMedian()', () => {
  it('returns the middle value, the lower one for even lengths', () => {
    assert.equal(lowerMedian([3, 1, 2]), 2);
    assert.equal(lowerMedian([4, 1, 3, 2]), 2);
    assert.throws(() => lowerMedian([]), /nothing/);
  });
});

describe('summarizeFixedLoad()', () => {
  it("takes the median efficiency and CPU, the worst loss and each latency figure's median", () => {
    const summary = summarizeFixedLoad([
      rep(100, 0.3, 0, 10, 5000),
      rep(120, 0.25, 0.002, 20, 300),
      rep(90, 0.35, 0, 30, 200),
    ]);
    assert.equal(summary.forwardedPerCoreSecond, 100);
    assert.equal(summary.cores, 0.3);
    assert.equal(summary.loss, 0.002);
    assert.deepEqual(summary.latencyUs, { samples: 1000, p50: 20, p90: 100, p99: 300, p999: 301, max: 302 });
  });

  it('has no efficiency when no repetition measured any CPU', () => {
    assert.equal(summarizeFixedLoad([rep(null, 0, 0, 10)]).forwardedPerCoreSecond, null);
  });
});
