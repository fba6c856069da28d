/**
 * CPU of a 3-party call in headless Chromium with E2EE on (the product page) and off (the benchmark-only
 * plain page: same Conference and signalling, identity transform, no MLS), phases in ABBA order so a drift of
 * the machine's load over the run weighs on both arms alike.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { until } from '../../../services/web/test/support/meeting-fixture';
import { readCpuTimes } from '../proc/proc-stat';
import { startBenchMeeting, type BenchMeeting } from './bench-meeting';
import { pageError, readPageWork, type PageWork } from './call-stats';
import { chromiumCpuSeconds } from './process-tree-cpu';

export type Arm = 'on' | 'off';

/** Same resolution in both arms; the product's camera simulcast (¼, ½, full) applies to it. */
const VIDEO = '640x360';
const PARTICIPANTS = 3;
const MEDIA_FLOWING_TIMEOUT_MS = 30_000;

interface Timing {
  rounds: number;
  warmupSeconds: number;
  windowSeconds: number;
}

const QUICK: Timing = { rounds: 1, warmupSeconds: 3, windowSeconds: 6 };
const FULL: Timing = { rounds: 2, warmupSeconds: 5, windowSeconds: 15 };

export interface PhaseResult {
  arm: Arm;
  room: string;
  /** Length of the CPU window, measured (s). */
  windowSeconds: number;
  /** CPU time (user + system) of the whole Chromium process tree over the window. */
  cpuSeconds: number;
  /** cpuSeconds / windowSeconds: what the ratio compares, immune to a window a few ms longer than asked. */
  chromiumCores: number;
  /** Everything the machine ran during the window, in cores (this benchmark, the SFU and other people's work). */
  machineBusyCores: number;
  chromiumProcesses: number;
  /** Remote video frames decoded per second, summed over the 3 pages (6 streams). */
  decodedFramesPerSecond: number;
  /** Camera frames encoded per second, summed over the 3 pages and their simulcast layers. */
  encodedFramesPerSecond: number;
  /** The same by simulcast layer width, to see which layer an encoder starved of CPU dropped frames from. */
  encodedFramesPerSecondByWidth: Record<string, number>;
  decodedWidths: number[];
  qualityLimitations: string[];
  /** E2EE worker counters summed over the 3 pages at the end of the window (on arm only). */
  e2ee: { encrypted: number; bytesAdded: number } | null;
}

export interface E2eeCpuResult {
  video: string;
  participants: number;
  order: Arm[];
  warmupSeconds: number;
  windowSeconds: number;
  phases: PhaseResult[];
  onChromiumCores: number;
  offChromiumCores: number;
  /** Mean Chromium cores with E2EE on / with it off. */
  ratio: number;
  decodedFramesPerSecond: { on: number; off: number };
  encodedFramesPerSecond: { on: number; off: number };
  /**
   * Whether both arms decoded and encoded the same frame rates (within 5 %). If not, the encoder or the fake
   * camera was starved in one arm and the CPU ratio compares different work: do not trust it.
   */
  sameWork: boolean;
  /** SFrame header + tag per encrypted frame in the real call (audio and every simulcast layer). */
  sframeBytesAddedPerFrame: number | null;
}

/** A, B, B, A per round: on, off, off, on. */
export function abbaOrder(rounds: number): Arm[] {
  return Array.from({ length: rounds }, (): Arm[] => ['on', 'off', 'off', 'on']).flat();
}

export async function measureE2eeCpu(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<E2eeCpuResult> {
  const timing = options.quick ? QUICK : FULL;
  const order = abbaOrder(timing.rounds);
  const meeting = await startBenchMeeting();
  const phases: PhaseResult[] = [];
  try {
    for (const [index, arm] of order.entries()) {
      const phase = await runPhase(meeting, arm, `bench-cpu-${index}-${arm}`, timing);
      options.log(
        `phase ${index + 1}/${order.length} E2EE ${arm}: ${round(phase.cpuSeconds, 2)} CPU s in ` +
          `${round(phase.windowSeconds, 2)} s (${round(phase.chromiumCores, 3)} cores), ` +
          `${round(phase.decodedFramesPerSecond, 1)} decoded fps, ` +
          `machine busy ${round(phase.machineBusyCores, 2)} cores`,
      );
      phases.push(phase);
    }
  } finally {
    await meeting.close();
  }
  const of = (arm: Arm) => phases.filter((p) => p.arm === arm);
  const onCores = mean(of('on').map((p) => p.chromiumCores));
  const offCores = mean(of('off').map((p) => p.chromiumCores));
  const e2ee = of('on').reduce(
    (sum, p) => ({
      encrypted: sum.encrypted + (p.e2ee?.encrypted ?? 0),
      bytesAdded: sum.bytesAdded + (p.e2ee?.bytesAdded ?? 0),
    }),
    { encrypted: 0, bytesAdded: 0 },
  );
  const rates = (arm: Arm) => ({
    decoded: mean(of(arm).map((p) => p.decodedFramesPerSecond)),
    encoded: mean(of(arm).map((p) => p.encodedFramesPerSecond)),
  });
  const on = rates('on');
  const off = rates('off');
  const within5Percent = (a: number, b: number) => Math.abs(a - b) <= 0.05 * Math.max(a, b);
  return {
    video: VIDEO,
    participants: PARTICIPANTS,
    order,
    warmupSeconds: timing.warmupSeconds,
    windowSeconds: timing.windowSeconds,
    phases,
    onChromiumCores: round(onCores, 3),
    offChromiumCores: round(offCores, 3),
    ratio: round(onCores / offCores, 3),
    decodedFramesPerSecond: { on: round(on.decoded, 1), off: round(off.decoded, 1) },
    encodedFramesPerSecond: { on: round(on.encoded, 1), off: round(off.encoded, 1) },
    sameWork: within5Percent(on.decoded, off.decoded) && within5Percent(on.encoded, off.encoded),
    sframeBytesAddedPerFrame: e2ee.encrypted > 0 ? round(e2ee.bytesAdded / e2ee.encrypted, 2) : null,
  };
}

/** One fresh room of 3 pages of one arm: join, wait for media both ways, warm up, measure a window, leave. */
async function runPhase(meeting: BenchMeeting, arm: Arm, room: string, timing: Timing): Promise<PhaseResult> {
  const pages: Page[] = [];
  try {
    for (let i = 0; i < PARTICIPANTS; i++) {
      pages.push(await meeting.open(`p${i}`, room, arm === 'on' ? 'product' : 'plain', VIDEO));
    }
    await untilEveryPageDecodesEveryone(pages, room);
    await sleep(timing.warmupSeconds * 1000);

    const workBefore = await readWork(pages);
    const cpuBefore = chromiumCpuSeconds();
    const busyBefore = machineBusySeconds();
    const startedAt = performance.now();
    await sleep(timing.windowSeconds * 1000);
    const cpuAfter = chromiumCpuSeconds();
    const busyAfter = machineBusySeconds();
    const windowSeconds = (performance.now() - startedAt) / 1000;
    const workAfter = await readWork(pages);

    const workSeconds = (workAfter.at - workBefore.at) / 1000;
    const cpuSeconds = cpuAfter.seconds - cpuBefore.seconds;
    const sum = (work: PageWork[], pick: (w: PageWork) => number) => work.reduce((s, w) => s + pick(w), 0);
    const perSecond = (pick: (w: PageWork) => number) =>
      (sum(workAfter.pages, pick) - sum(workBefore.pages, pick)) / workSeconds;
    const counters = workAfter.pages.map((w) => w.e2ee);
    const layerWidths = [...new Set(workAfter.pages.flatMap((w) => Object.keys(w.framesEncodedByWidth)))];
    return {
      arm,
      room,
      windowSeconds: round(windowSeconds, 3),
      cpuSeconds: round(cpuSeconds, 2),
      chromiumCores: round(cpuSeconds / windowSeconds, 3),
      machineBusyCores: round((busyAfter - busyBefore) / windowSeconds, 2),
      chromiumProcesses: cpuAfter.processes,
      decodedFramesPerSecond: round(
        perSecond((w) => w.framesDecoded),
        1,
      ),
      encodedFramesPerSecond: round(
        perSecond((w) => w.framesEncoded),
        1,
      ),
      encodedFramesPerSecondByWidth: Object.fromEntries(
        layerWidths.map((width) => [
          width,
          round(
            perSecond((w) => w.framesEncodedByWidth[width] ?? 0),
            1,
          ),
        ]),
      ),
      decodedWidths: workAfter.pages.flatMap((w) => w.decodedWidths),
      qualityLimitations: workAfter.pages.flatMap((w) => w.qualityLimitations),
      e2ee: counters.every((c) => c !== null)
        ? {
            encrypted: counters.reduce((s, c) => s + c!.encrypted, 0),
            bytesAdded: counters.reduce((s, c) => s + c!.bytesAdded, 0),
          }
        : null,
    };
  } finally {
    for (const page of pages)
      await page
        .context()
        .close()
        .catch(() => undefined);
  }
}

async function untilEveryPageDecodesEveryone(pages: Page[], room: string): Promise<void> {
  const others = PARTICIPANTS - 1;
  try {
    await until(
      () => Promise.all(pages.map((p) => readPageWork(p).then((w) => w.decodingStreams))),
      (decoding) => decoding.every((n) => n >= others),
      MEDIA_FLOWING_TIMEOUT_MS,
      `every page of ${room} decoding video from the ${others} others (streams decoding per page)`,
    );
  } catch (error) {
    const errors = (await Promise.all(pages.map((p) => pageError(p).catch(() => undefined)))).filter(Boolean);
    throw errors.length > 0
      ? new Error(`${(error as Error).message}; page errors: ${errors.join('; ')}`)
      : error;
  }
}

async function readWork(pages: Page[]): Promise<{ at: number; pages: PageWork[] }> {
  const work = await Promise.all(pages.map(readPageWork));
  return { at: performance.now(), pages: work };
}

function machineBusySeconds(): number {
  return [...readCpuTimes().values()].reduce((s, cpu) => s + cpu.busy, 0);
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function round(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(x * scale) / scale;
}
