import type { PointResult } from './measure-point';

/** What stopped delivery at a ramp step: the target, the load generator, or no clear sign. */
export type KneeLimit = 'target' | 'generator' | 'unknown';

/**
 * Attributes a lossy step: the generator when its own receive sockets dropped at least half of the lost copies;
 * else the target when its input sockets dropped or it ran a full core; else the generator when the sender fell
 * behind; otherwise unknown.
 */
export function kneeLimitedBy(point: PointResult): KneeLimit {
  const lost = Math.max(0, point.expectedCopies - point.receivedCopies);
  if (lost > 0 && point.receiverSocketDrops >= lost / 2) return 'generator';
  if (point.targetInputDrops > 0 || point.target.cores >= 0.85) return 'target';
  if (point.sentInWindow > 0 && point.sender.lateOver1ms > point.sentInWindow * 0.01) return 'generator';
  return 'unknown';
}

/**
 * Growth factor for the next ramp step: aims just under the consumer count where the target would use a whole
 * core (its CPU grows about linearly with consumers), within [min, max].
 */
export function rampGrowth(lastCores: number, min: number, max: number): number {
  if (!(lastCores > 0)) return max;
  return Math.min(max, Math.max(min, 0.97 / lastCores));
}

/** Target CPU (cores) at the knee, interpolated between the two bracketing steps. */
export function coresAtKnee(
  knee: { consumers: number; below: { consumers: number }; above: { consumers: number } },
  coresAt: (consumers: number) => number,
): number {
  const below = coresAt(knee.below.consumers);
  const above = coresAt(knee.above.consumers);
  const span = knee.above.consumers - knee.below.consumers;
  return span === 0 ? below : below + ((above - below) * (knee.consumers - knee.below.consumers)) / span;
}
