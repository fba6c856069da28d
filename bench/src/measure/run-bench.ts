import { TargetUnavailableError, type BenchTargetFactory } from '../targets/bench-target';
import type { TargetName } from '../targets/registry';
import { summarizeFixedLoad, type FixedLoadResult } from './fixed-load';
import { measureKnee, type KneeResult } from './knee-ramp';
import { measurePoint, type MeasureContext, type PointResult } from './measure-point';
import { measureRoomCost, type RoomCostResult } from './room-cost';
import { estimatePointMs, type RunClock } from './run-clock';
import type { RunProfile } from './run-profile';

/** Everything measured for one target. */
export interface TargetRun {
  name: TargetName;
  /** `missing`: the target does not exist yet (TargetUnavailableError); nothing was measured. */
  status: 'ok' | 'missing';
  reason: string | null;
  fixedLoad: FixedLoadResult | null;
  roomCost: RoomCostResult | null;
  knee: KneeResult | null;
  /** Scenarios that failed, with their error. */
  errors: string[];
}

/** A target to measure. */
export interface TargetEntry {
  name: TargetName;
  factory: BenchTargetFactory;
}

/**
 * Runs the three scenarios for every target, scenario by scenario so all targets see the machine in the same
 * state; the fixed load alternates targets across repetitions. A missing target is reported, not fatal; a
 * failing scenario is recorded and the run goes on.
 */
export async function runBench(
  targets: readonly TargetEntry[],
  profile: RunProfile,
  context: MeasureContext,
  clock: RunClock,
  publisherPps: number,
  log: (line: string) => void,
): Promise<TargetRun[]> {
  const runs = targets.map((t): TargetRun => ({
    name: t.name,
    status: 'ok',
    reason: null,
    fixedLoad: null,
    roomCost: null,
    knee: null,
    errors: [],
  }));
  const active = () => targets.map((t, i) => ({ ...t, run: runs[i] })).filter((t) => t.run.status === 'ok');
  const attempt = async <T>(run: TargetRun, scenario: string, body: () => Promise<T>): Promise<T | null> => {
    try {
      return await body();
    } catch (error) {
      if (error instanceof TargetUnavailableError) {
        run.status = 'missing';
        run.reason = error.message;
        log(`${run.name}: missing (${error.message})`);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        run.errors.push(`${scenario}: ${message}`);
        log(`${run.name} ${scenario} failed: ${message}`);
      }
      return null;
    }
  };

  const { publishers, subscribers, repetitions } = profile.fixedLoad;
  const trafficMs =
    profile.timing.warmupMs + profile.timing.measureMs + profile.timing.tailMs + profile.timing.drainMs;
  const all = Array.from({ length: publishers }, (_, i) => i);
  const fixed = new Map<TargetName, PointResult[]>();
  for (let rep = 0; rep < repetitions; rep++) {
    for (const target of active()) {
      if (!clock.fits(estimatePointMs(trafficMs, 2 * publishers * subscribers))) break;
      const point = await attempt(target.run, 'fixed load', () =>
        measurePoint(
          target.factory,
          { publishers, subscriptions: Array.from({ length: subscribers }, () => all), rateScale: 1 },
          context,
        ),
      );
      if (!point) continue;
      fixed.set(target.name, [...(fixed.get(target.name) ?? []), point]);
      log(
        `${target.name} fixed load: ${fmt(point.forwardedPerCoreSecond)} packets per core-second, ${point.target.cores.toFixed(3)} cores, loss ${(point.loss * 100).toFixed(3)} %`,
      );
    }
  }
  for (const run of runs) {
    const points = fixed.get(run.name);
    if (points?.length) run.fixedLoad = summarizeFixedLoad(points);
  }

  for (const target of active()) {
    target.run.roomCost = await attempt(target.run, 'room cost', () =>
      measureRoomCost(target.factory, profile, context, clock, publisherPps, (l) =>
        log(`${target.name} room ${l}`),
      ),
    );
  }
  for (const target of active()) {
    target.run.knee = await attempt(target.run, 'knee', () =>
      measureKnee(target.factory, profile, context, clock, (l) => log(`${target.name} knee ${l}`)),
    );
  }
  return runs;
}

function fmt(x: number | null): string {
  return x === null ? 'n/a' : Math.round(x).toLocaleString('en-US');
}
