/** One step of a load ramp. */
export interface RampPoint {
  consumers: number;
  loss: number;
}

/** Where loss first passes the threshold along a ramp of increasing consumer counts. */
export type KneeEstimate =
  /** Interpolated between the last step at or under the threshold and the first step over it. */
  | { kind: 'found'; consumers: number; below: RampPoint; above: RampPoint }
  /** No step passed the threshold: the knee lies beyond the largest step. */
  | { kind: 'not-reached'; atLeast: number }
  /** Already the smallest step passed it. */
  | { kind: 'below-range'; atMost: number };

/**
 * Finds the knee: the consumer count at which loss passes `threshold`, interpolating linearly between the
 * bracketing steps. Steps are taken in increasing consumer order; the first step over the threshold decides, so
 * a later noisy dip under it does not move the knee up.
 */
export function findKnee(points: readonly RampPoint[], threshold: number): KneeEstimate {
  if (points.length === 0) throw new Error('a knee needs at least one ramp step');
  const sorted = [...points].sort((a, b) => a.consumers - b.consumers);
  const firstOver = sorted.findIndex((p) => p.loss > threshold);
  if (firstOver === -1) return { kind: 'not-reached', atLeast: sorted[sorted.length - 1].consumers };
  if (firstOver === 0) return { kind: 'below-range', atMost: sorted[0].consumers };
  const below = sorted[firstOver - 1];
  const above = sorted[firstOver];
  const fraction = (threshold - below.loss) / (above.loss - below.loss);
  return {
    kind: 'found',
    consumers: below.consumers + fraction * (above.consumers - below.consumers),
    below,
    above,
  };
}

/** How a ramp grows: geometric steps until loss passes the threshold, then bisections of the bracket. */
export interface RampPlan {
  start: number;
  growth: number;
  max: number;
  /** Consumer counts are multiples of this (consumers added per subscriber). */
  granularity: number;
  /** Bisections once a step under and a step over the threshold are known. */
  refinements: number;
}

/** The next consumer count to measure given the steps so far (in the order measured), or null when done. */
export function nextRampStep(
  measured: readonly RampPoint[],
  threshold: number,
  plan: RampPlan,
): number | null {
  const round = (n: number) =>
    Math.max(plan.granularity, Math.round(n / plan.granularity) * plan.granularity);
  if (measured.length === 0) return round(plan.start);
  const knee = findKnee(measured, threshold);
  const tried = new Set(measured.map((p) => p.consumers));
  const fresh = (n: number) => (tried.has(n) ? null : n);
  if (knee.kind === 'not-reached') {
    return knee.atLeast >= plan.max ? null : fresh(round(Math.min(plan.max, knee.atLeast * plan.growth)));
  }
  if (knee.kind === 'below-range') {
    const smaller = round(knee.atMost / plan.growth);
    return smaller < knee.atMost ? fresh(smaller) : null;
  }
  if (measured.length - 1 - bracketedAt(measured, threshold) >= plan.refinements) return null;
  const middle = round((knee.below.consumers + knee.above.consumers) / 2);
  return middle > knee.below.consumers && middle < knee.above.consumers ? fresh(middle) : null;
}

function bracketedAt(measured: readonly RampPoint[], threshold: number): number {
  let under = false;
  let over = false;
  for (let i = 0; i < measured.length; i++) {
    if (measured[i].loss > threshold) over = true;
    else under = true;
    if (under && over) return i;
  }
  return measured.length - 1;
}
