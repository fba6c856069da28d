import { findKnee, nextRampStep, type KneeEstimate } from '../stats/knee';
import { fitLine } from '../stats/least-squares';
import type { BenchTargetFactory } from '../targets/bench-target';
import { coresAtKnee, kneeLimitedBy, rampGrowth, type KneeLimit } from './knee-plan';
import { measurePoint, type MeasureContext, type PointResult } from './measure-point';
import { estimatePointMs, type RunClock } from './run-clock';
import type { RunProfile } from './run-profile';

/** The loss ramp of one target. */
export interface KneeResult {
  publishers: number;
  lossThreshold: number;
  /** Steps in the order measured. */
  steps: PointResult[];
  estimate: KneeEstimate;
  /** The knee in consumers per worker core (the target is pinned to one core); null unless found. */
  consumersPerCore: number | null;
  /** When the target was not the limit (generator-bound, or never lost packets): what it at least sustains. */
  consumersPerCoreAtLeast: number | null;
  /** The target's CPU at the knee; under 1 when other work or kernel time took the rest of its core. */
  coresAtKnee: number | null;
  /** `consumersPerCore / coresAtKnee`: the knee scaled to a whole core (an extrapolation, for noisy machines). */
  consumersPerWholeCore: number | null;
  /** What lost the packets at the first step over the threshold. */
  limitedBy: KneeLimit | null;
  /** Slope of the target's RSS against consumers over the ramp. */
  memoryPerConsumerBytes: number | null;
  notes: string[];
}

/**
 * Ramps the consumer count with a fixed set of publishers, each subscriber taking every publisher's audio and
 * video, until loss passes the threshold, then bisects the bracket.
 */
export async function measureKnee(
  factory: BenchTargetFactory,
  profile: RunProfile,
  context: MeasureContext,
  clock: RunClock,
  log: (line: string) => void,
): Promise<KneeResult> {
  const {
    publishers,
    lossThreshold,
    startConsumers,
    maxConsumers,
    maxSteps,
    refinements,
    minGrowth,
    maxGrowth,
  } = profile.knee;
  const trafficMs =
    profile.timing.warmupMs + profile.timing.measureMs + profile.timing.tailMs + profile.timing.drainMs;
  const perSubscriber = 2 * publishers;
  const steps: PointResult[] = [];
  const notes: string[] = [];
  const all = Array.from({ length: publishers }, (_, i) => i);
  while (steps.length < maxSteps) {
    const last = steps[steps.length - 1];
    const growth = last ? rampGrowth(last.target.cores, minGrowth, maxGrowth) : minGrowth;
    const ramp = steps.map((s) => ({ consumers: s.consumers, loss: s.loss }));
    const consumers = nextRampStep(ramp, lossThreshold, {
      start: startConsumers,
      growth,
      max: maxConsumers,
      granularity: perSubscriber,
      refinements,
    });
    if (consumers === null) break;
    if (!clock.fits(estimatePointMs(trafficMs, consumers))) {
      notes.push(`stopped before ${consumers} consumers: time budget`);
      break;
    }
    const subscribers = consumers / perSubscriber;
    const point = await measurePoint(
      factory,
      { publishers, subscriptions: Array.from({ length: subscribers }, () => all), rateScale: 1 },
      context,
    );
    steps.push(point);
    log(
      `${point.consumers} consumers: loss ${(point.loss * 100).toFixed(3)} %, ${point.target.cores.toFixed(2)} cores, receiver ${point.generator.receiverCores.toFixed(2)} cores`,
    );
  }
  if (steps.length === maxSteps) notes.push(`stopped after ${maxSteps} steps`);
  if (steps.length === 0) {
    return {
      publishers,
      lossThreshold,
      steps,
      estimate: { kind: 'not-reached', atLeast: 0 },
      consumersPerCore: null,
      consumersPerCoreAtLeast: null,
      coresAtKnee: null,
      consumersPerWholeCore: null,
      limitedBy: null,
      memoryPerConsumerBytes: null,
      notes,
    };
  }
  const estimate = findKnee(
    steps.map((s) => ({ consumers: s.consumers, loss: s.loss })),
    lossThreshold,
  );
  const firstOver = [...steps].sort((a, b) => a.consumers - b.consumers).find((s) => s.loss > lossThreshold);
  const limitedBy = firstOver ? kneeLimitedBy(firstOver) : null;
  const pinnedToOneCore = context.pin && /^\d+$/.test(context.cpus.target);
  if (!pinnedToOneCore) notes.push('target not pinned to a single core: no per-core figure');
  if (limitedBy === 'generator')
    notes.push('the load generator, not the target, lost the packets: the knee is a lower bound');
  const distinct = new Set(steps.map((s) => s.consumers));
  const targetBound = estimate.kind === 'found' && pinnedToOneCore && limitedBy !== 'generator';
  let atLeast: number | null = null;
  if (pinnedToOneCore && estimate.kind === 'not-reached') atLeast = estimate.atLeast;
  if (pinnedToOneCore && estimate.kind === 'found' && limitedBy === 'generator') atLeast = estimate.consumers;
  const kneeCores =
    estimate.kind === 'found'
      ? coresAtKnee(estimate, (n) => steps.find((s) => s.consumers === n)?.target.cores ?? 0)
      : null;
  return {
    publishers,
    lossThreshold,
    steps,
    estimate,
    consumersPerCore: targetBound ? estimate.consumers : null,
    consumersPerCoreAtLeast: atLeast,
    coresAtKnee: kneeCores,
    consumersPerWholeCore:
      targetBound && kneeCores && kneeCores > 0.5 ? estimate.consumers / kneeCores : null,
    limitedBy,
    memoryPerConsumerBytes:
      distinct.size >= 2 ? fitLine(steps.map((s) => ({ x: s.consumers, y: s.target.rssBytes }))).slope : null,
    notes,
  };
}
