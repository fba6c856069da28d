import type { PointResult } from './measure-point';

/** The fixed offered load, possibly repeated (alternating targets) to damp noise from the shared machine. */
export interface FixedLoadResult {
  repetitions: PointResult[];
  /** Median over repetitions of delivered packets per CPU-second of the target. */
  forwardedPerCoreSecond: number | null;
  /** Median target CPU, in cores. */
  cores: number;
  /** Worst loss over repetitions. */
  loss: number;
  /** Each latency figure's median over the repetitions that measured latency. */
  latencyUs: PointResult['latencyUs'];
}

/** Median of a non-empty list (the lower middle for even lengths, so it is always a measured value). */
export function lowerMedian(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Summarizes the repetitions of the fixed load. */
export function summarizeFixedLoad(repetitions: PointResult[]): FixedLoadResult {
  const efficient = repetitions.filter((r) => r.forwardedPerCoreSecond !== null);
  const median = efficient.length
    ? lowerMedian(efficient.map((r) => r.forwardedPerCoreSecond as number))
    : null;
  const latencies = repetitions.flatMap((r) => (r.latencyUs ? [r.latencyUs] : []));
  const latencyMedian = (field: keyof NonNullable<PointResult['latencyUs']>) =>
    lowerMedian(latencies.map((l) => l[field]));
  return {
    repetitions,
    forwardedPerCoreSecond: median,
    cores: lowerMedian(repetitions.map((r) => r.target.cores)),
    loss: Math.max(...repetitions.map((r) => r.loss)),
    latencyUs: latencies.length
      ? {
          samples: latencyMedian('samples'),
          p50: latencyMedian('p50'),
          p90: latencyMedian('p90'),
          p99: latencyMedian('p99'),
          p999: latencyMedian('p999'),
          max: latencyMedian('max'),
        }
      : null,
  };
}
