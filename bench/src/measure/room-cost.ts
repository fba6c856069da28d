import { fitRoomCost, type RoomCostModel } from '../stats/least-squares';
import type { BenchTargetFactory } from '../targets/bench-target';
import { measurePoint, type MeasureContext, type PointResult } from './measure-point';
import { estimatePointMs, type RunClock } from './run-clock';
import type { RunProfile } from './run-profile';
import { meshSubscriptions, roomRateScale } from './room-plan';

/** One meeting size. */
export interface RoomCostPoint {
  participants: number;
  /** CPU of the target's processes at the measured playback speed, in cores. */
  cores: number;
  /** `cores / rateScale`: what the room costs at the recording's real rate. */
  coresAtFullRate: number;
  usedInFit: boolean;
  point: PointResult;
}

/** Room cost against N, fitted to a + b·N + c·N(N−1) (cores at full rate). */
export interface RoomCostResult {
  points: RoomCostPoint[];
  fit: RoomCostModel | null;
  /** Why there is no fit, or which sizes did not fit in the time budget. */
  notes: string[];
}

/** Measures meetings of each size in the profile and fits their cost. */
export async function measureRoomCost(
  factory: BenchTargetFactory,
  profile: RunProfile,
  context: MeasureContext,
  clock: RunClock,
  publisherPps: number,
  log: (line: string) => void,
): Promise<RoomCostResult> {
  const { participants, maxForwardedPacketsPerSecond, maxLossForFit } = profile.roomCost;
  const trafficMs =
    profile.timing.warmupMs + profile.timing.measureMs + profile.timing.tailMs + profile.timing.drainMs;
  const points: RoomCostPoint[] = [];
  const notes: string[] = [];
  for (const n of participants) {
    const consumers = 2 * n * (n - 1);
    if (!clock.fits(estimatePointMs(trafficMs, consumers))) {
      notes.push(`N=${n} and larger skipped: time budget`);
      break;
    }
    const rateScale = roomRateScale(n, publisherPps, maxForwardedPacketsPerSecond);
    const point = await measurePoint(
      factory,
      { publishers: n, subscriptions: meshSubscriptions(n), rateScale },
      context,
    );
    const cores = point.target.cores;
    points.push({
      participants: n,
      cores,
      coresAtFullRate: cores / rateScale,
      usedInFit: point.loss <= maxLossForFit,
      point,
    });
    log(
      `N=${n}: ${consumers} consumers at ${(rateScale * 100).toFixed(1)} % speed, ${cores.toFixed(3)} cores, loss ${pct(point.loss)}`,
    );
  }
  const usable = points.filter((p) => p.usedInFit);
  let fit: RoomCostModel | null = null;
  if (usable.length >= 3)
    fit = fitRoomCost(usable.map((p) => ({ participants: p.participants, cost: p.coresAtFullRate })));
  else notes.push(`no fit: ${usable.length} loss-free sizes, 3 needed`);
  return { points, fit, notes };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(3)} %`;
}
