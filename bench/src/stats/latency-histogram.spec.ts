import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogramQuantile, summarizeLatency, type HistogramBucket } from './latency-histogram';

describe('histogramQuantile()', () => {
  const buckets: HistogramBucket[] = [
    [20, 21, 50],
    [10, 11, 40],
    [1000, 1010, 10],
  ];

  it('interpolates inside the bucket holding the rank, whatever the bucket order', () => {
    assert.equal(histogramQuantile(buckets, 0.4), 11);
    assert.equal(histogramQuantile(buckets, 0.5), 20.2);
    assert.equal(histogramQuantile(buckets, 0.9), 21);
    assert.equal(histogramQuantile(buckets, 0.95), 1005);
    assert.equal(histogramQuantile(buckets, 1), 1010);
  });

  it('returns null for an empty histogram and rejects quantiles outside (0, 1]', () => {
    assert.equal(histogramQuantile([], 0.5), null);
    assert.equal(histogramQuantile([[5, 6, 0]], 0.5), null);
    assert.throws(() => histogramQuantile(buckets, 0), /outside/);
    assert.throws(() => histogramQuantile(buckets, 1.5), /outside/);
  });
});

describe('summarizeLatency()', () => {
  it('reports the sample count and ordered percentiles', () => {
    const summary = summarizeLatency([
      [50, 51, 990],
      [300, 310, 9],
      [5000, 5010, 1],
    ]);
    assert.ok(summary);
    assert.equal(summary.samples, 1000);
    assert.ok(summary.p50 >= 50 && summary.p50 <= 51);
    assert.ok(summary.p99 >= 50 && summary.p99 <= 51);
    assert.ok(summary.p999 >= 300 && summary.p999 <= 310);
  });

  it('returns null without samples', () => {
    assert.equal(summarizeLatency([]), null);
  });
});
