/** A histogram bucket as the receiver reports it: [lower µs, upper µs, count], lower inclusive. */
export type HistogramBucket = readonly [lowerUs: number, upperUs: number, count: number];

/** Latency percentiles in microseconds. */
export interface LatencySummary {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

/**
 * The q-quantile (0 < q ≤ 1) of a bucketed distribution, interpolating linearly inside the bucket that holds
 * the rank ⌈q·n⌉. Returns null for an empty histogram.
 */
export function histogramQuantile(buckets: readonly HistogramBucket[], q: number): number | null {
  if (!(q > 0 && q <= 1)) throw new Error(`quantile ${q} is outside (0, 1]`);
  const sorted = [...buckets].filter((b) => b[2] > 0).sort((x, y) => x[0] - y[0]);
  const total = sorted.reduce((acc, b) => acc + b[2], 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const [lower, upper, count] of sorted) {
    if (seen + count >= rank) return lower + ((upper - lower) * (rank - seen)) / count;
    seen += count;
  }
  return sorted[sorted.length - 1][1];
}

/** p50/p90/p99/p99.9 of a receiver histogram; null when it holds no sample. */
export function summarizeLatency(buckets: readonly HistogramBucket[]): LatencySummary | null {
  const samples = buckets.reduce((acc, b) => acc + b[2], 0);
  if (samples === 0) return null;
  const at = (q: number) => histogramQuantile(buckets, q) as number;
  return { samples, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999) };
}
