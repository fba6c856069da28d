import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReceiverProcess, type ReceiverSummary } from '../loadgen/receiver-process';
import { SenderProcess, type SenderSummary } from '../loadgen/sender-process';
import type { NativeTools } from '../native/build-native';
import { placeProcess, type Placement } from '../proc/placement';
import {
  readCpuSeconds,
  readCpuTimes,
  readExecutable,
  readRssBytes,
  readSchedTimes,
} from '../proc/proc-stat';
import { readUdpDrops } from '../proc/udp-sockets';
import { summarizeLatency, type LatencySummary } from '../stats/latency-histogram';
import type { BenchTargetFactory, RoomSpec } from '../targets/bench-target';
import { publisherSsrcs } from '../traffic/bench-codecs';
import { withTimeout } from './with-timeout';

/** Durations of one measurement, in ms. */
export interface PointTiming {
  /** Traffic before the window: consumers sync on a keyframe, queues and caches settle. */
  warmupMs: number;
  measureMs: number;
  /** Traffic after the window so its last packets are not followed by silence. */
  tailMs: number;
  /** Wait after the sender stops before the receiver stops counting. */
  drainMs: number;
}

/** What the harness needs to run a point. */
export interface MeasureContext {
  native: NativeTools;
  traceFile: string;
  timing: PointTiming;
  /** taskset CPU lists: the target's workers on one core, the generator (and the harness) on the other. */
  cpus: { target: string; generator: string };
  /** Pin the target and the generator to their CPUs; without it nothing is per core. */
  pin: boolean;
  /** Run the target and the generator at raised priority (see Placement). */
  raisePriority: boolean;
}

/** One room to measure: who publishes and who consumes whom, at what playback speed. */
export interface PointPlan {
  publishers: number;
  /** For each subscriber, the publishers whose audio and video it consumes. */
  subscriptions: readonly (readonly number[])[];
  /** Playback speed in (0, 1] (1 = the recording's real rate). */
  rateScale: number;
}

/** Measured figures of one point. CPU figures are over the measurement window. */
export interface PointResult {
  publishers: number;
  subscribers: number;
  consumers: number;
  rateScale: number;
  setupSeconds: number;
  windowSeconds: number;
  offeredPublisherPacketsPerSecond: number;
  expectedForwardedPacketsPerSecond: number;
  sentInWindow: number;
  expectedCopies: number;
  receivedCopies: number;
  /** 1 − received / expected over all consumers, clamped at 0. */
  loss: number;
  /** The highest loss of a single subscriber. */
  worstSubscriberLoss: number;
  /** Drops counted by the target's input sockets during the window (its receive buffers overflowed). */
  targetInputDrops: number;
  /** Drops of the generator's receiving sockets over the whole run. */
  receiverSocketDrops: number;
  target: {
    pids: number[];
    /** What the target's processes run (/proc/<pid>/exe), to catch a wrapped or debug worker. */
    executables: string[];
    /** Scheduler run time of the target's processes (ns resolution). */
    cpuSeconds: number;
    /** utime + stime from /proc/<pid>/stat (10 ms ticks): the same quantity, as a cross-check. */
    cpuSecondsFromStat: number;
    cores: number;
    rssBytes: number;
  };
  generator: { senderCores: number; receiverCores: number; harnessCores: number };
  /**
   * Noise during the window. `targetWaitCores`: time the target was runnable but not running (another task had its
   * core); the only figure that says the target was held back. The others are other work on the pinned cores,
   * which mostly fills idle time, and time the hypervisor stole from those vCPUs.
   */
  interference: {
    targetWaitCores: number;
    targetCoreOtherCores: number;
    targetCoreStealCores: number;
    generatorCoreOtherCores: number;
    generatorCoreStealCores: number;
  } | null;
  /** Delivered packets per CPU-second of the target's processes. */
  forwardedPerCoreSecond: number | null;
  latencyUs: (LatencySummary & { max: number }) | null;
  sender: Pick<
    SenderSummary,
    'lateOver1ms' | 'maxLagUs' | 'keyframesOnRequest' | 'keyframeRequests' | 'sendErrors'
  >;
  receiver: Pick<ReceiverSummary, 'foreign' | 'rtcp' | 'negativeLatency'>;
}

interface Sample {
  at: number;
  target: number;
  targetWait: number;
  targetFromStat: number;
  cpuTimes: Map<number, { busy: number; steal: number; total: number }>;
  sender: number;
  receiver: number;
  harness: number;
  inputDrops: number;
}

/** Builds a fresh target, sets up the room, replays traffic through it and measures one window. */
export async function measurePoint(
  factory: BenchTargetFactory,
  plan: PointPlan,
  context: MeasureContext,
): Promise<PointResult> {
  const { timing, native, cpus } = context;
  const place = (cpuList: string, priority: Placement['priority']): Placement => ({
    cpus: context.pin ? cpuList : allCpus(),
    priority: context.raisePriority ? priority : 'normal',
  });
  const target = await withTimeout(factory(), 60_000, 'creating the target');
  let receiver: ReceiverProcess | undefined;
  let sender: SenderProcess | undefined;
  try {
    const sink = await ReceiverProcess.start(native.receiver, {
      sockets: plan.subscriptions.length,
      publishers: plan.publishers,
      placement: place(cpus.generator, 'high'),
      maxMs: timing.warmupMs + timing.measureMs + timing.tailMs + 120_000,
    });
    receiver = sink;
    const room: RoomSpec = {
      publishers: Array.from({ length: plan.publishers }, (_, i) => {
        const ssrcs = publisherSsrcs(i);
        return { videoSsrc: ssrcs.video, audioSsrc: ssrcs.audio };
      }),
      subscribers: plan.subscriptions.map((publishers, i) => ({
        sink: { ip: '127.0.0.1', port: sink.ports[i] },
        publishers,
      })),
    };
    const setupStarted = performance.now();
    const consumers = 2 * plan.subscriptions.reduce((acc, pubs) => acc + pubs.length, 0);
    const endpoints = await withTimeout(target.setupRoom(room), 60_000 + 20 * consumers, 'setupRoom()');
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const pids = [...target.workerPids()];
    for (const pid of pids) placeProcess(pid, place(cpus.target, 'high'));
    const inputPorts = new Set(endpoints.publisherAddrs.map((a) => a.port));

    const source = SenderProcess.start(native.sender, {
      traceFile: context.traceFile,
      destinations: endpoints.publisherAddrs,
      warmupMs: timing.warmupMs,
      measureMs: timing.measureMs,
      tailMs: timing.tailMs,
      rateScale: plan.rateScale,
      placement: place(cpus.generator, 'realtime'),
    });
    sender = source;
    const sample = (): Sample => {
      const harness = process.cpuUsage();
      return {
        at: performance.now(),
        target: pids.reduce((acc, pid) => acc + readSchedTimes(pid).run, 0),
        targetWait: pids.reduce((acc, pid) => acc + readSchedTimes(pid).wait, 0),
        targetFromStat: pids.reduce((acc, pid) => acc + readCpuSeconds(pid), 0),
        cpuTimes: readCpuTimes(),
        sender: readSchedTimes(source.pid).run,
        receiver: readSchedTimes(sink.pid).run,
        harness: (harness.user + harness.system) / 1e6,
        inputDrops: readUdpDrops(inputPorts),
      };
    };
    await source.windowStart(timing.warmupMs + 10_000);
    const before = sample();
    await source.windowEnd(timing.measureMs + 10_000);
    const after = sample();
    const rssBytes = pids.reduce((acc, pid) => acc + readRssBytes(pid), 0);
    const sent = await source.finish(timing.tailMs + 10_000);
    sender = undefined;
    await sleep(timing.drainMs);
    const received = await sink.stop();
    receiver = undefined;
    const pinned = context.pin
      ? { target: singleCpu(cpus.target), generator: singleCpu(cpus.generator) }
      : null;
    return summarize(
      plan,
      endpoints.consumers,
      setupSeconds,
      pids,
      rssBytes,
      before,
      after,
      sent,
      received,
      pinned,
    );
  } finally {
    await sender?.abort();
    await receiver?.abort();
    await withTimeout(target.close(), 30_000, 'close()');
  }
}

function summarize(
  plan: PointPlan,
  consumers: number,
  setupSeconds: number,
  pids: number[],
  rssBytes: number,
  before: Sample,
  after: Sample,
  sent: SenderSummary,
  received: ReceiverSummary,
  pinned: { target: number | null; generator: number | null } | null,
): PointResult {
  const windowSeconds = (after.at - before.at) / 1000;
  const perPublisher = sent.windowSent.map(([video, audio]) => video + audio);
  const expectedPerSubscriber = plan.subscriptions.map((pubs) =>
    pubs.reduce((acc, p) => acc + perPublisher[p], 0),
  );
  const expectedCopies = expectedPerSubscriber.reduce((a, b) => a + b, 0);
  const sentInWindow = perPublisher.reduce((a, b) => a + b, 0);
  const lossOf = (got: number, expected: number) => (expected > 0 ? Math.max(0, 1 - got / expected) : 0);
  const cpuSeconds = after.target - before.target;
  const latency = summarizeLatency(received.latencyHistogramUs);
  const generator = {
    senderCores: (after.sender - before.sender) / windowSeconds,
    receiverCores: (after.receiver - before.receiver) / windowSeconds,
    harnessCores: (after.harness - before.harness) / windowSeconds,
  };
  return {
    publishers: plan.publishers,
    subscribers: plan.subscriptions.length,
    consumers,
    rateScale: plan.rateScale,
    setupSeconds,
    windowSeconds,
    offeredPublisherPacketsPerSecond: sentInWindow / windowSeconds,
    expectedForwardedPacketsPerSecond: expectedCopies / windowSeconds,
    sentInWindow,
    expectedCopies,
    receivedCopies: received.windowReceived,
    loss: lossOf(received.windowReceived, expectedCopies),
    worstSubscriberLoss: Math.max(
      0,
      ...expectedPerSubscriber.map((e, i) => lossOf(received.windowPerSocket[i] ?? 0, e)),
    ),
    targetInputDrops: after.inputDrops - before.inputDrops,
    receiverSocketDrops: received.socketDrops,
    target: {
      pids,
      executables: pids.map(readExecutable),
      cpuSeconds,
      cpuSecondsFromStat: after.targetFromStat - before.targetFromStat,
      cores: cpuSeconds / windowSeconds,
      rssBytes,
    },
    generator,
    interference: interference(before, after, windowSeconds, pinned, cpuSeconds / windowSeconds, generator),
    forwardedPerCoreSecond: cpuSeconds > 0 ? received.windowReceived / cpuSeconds : null,
    latencyUs: latency && { ...latency, max: received.maxLatencyUs },
    sender: {
      lateOver1ms: sent.lateOver1ms,
      maxLagUs: sent.maxLagUs,
      keyframesOnRequest: sent.keyframesOnRequest,
      keyframeRequests: sent.keyframeRequests,
      sendErrors: sent.sendErrors,
    },
    receiver: { foreign: received.foreign, rtcp: received.rtcp, negativeLatency: received.negativeLatency },
  };
}

function singleCpu(list: string): number | null {
  return /^\d+$/.test(list) ? Number(list) : null;
}

function interference(
  before: Sample,
  after: Sample,
  windowSeconds: number,
  pinned: { target: number | null; generator: number | null } | null,
  targetCores: number,
  generator: PointResult['generator'],
): PointResult['interference'] {
  if (!pinned || pinned.target === null || pinned.generator === null) return null;
  const delta = (cpu: number, field: 'busy' | 'steal') =>
    ((after.cpuTimes.get(cpu)?.[field] ?? 0) - (before.cpuTimes.get(cpu)?.[field] ?? 0)) / windowSeconds;
  const ours = generator.senderCores + generator.receiverCores + generator.harnessCores;
  return {
    targetWaitCores: (after.targetWait - before.targetWait) / windowSeconds,
    targetCoreOtherCores: Math.max(0, delta(pinned.target, 'busy') - targetCores),
    targetCoreStealCores: delta(pinned.target, 'steal'),
    generatorCoreOtherCores: Math.max(0, delta(pinned.generator, 'busy') - ours),
    generatorCoreStealCores: delta(pinned.generator, 'steal'),
  };
}

function allCpus(): string {
  return `0-${os.cpus().length - 1}`;
}
