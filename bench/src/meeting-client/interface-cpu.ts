/**
 * Issue 12 §6: browser CPU of a 4-person meeting with the full meeting client versus the minimal test page
 * (`/test/`, same SDK, same E2EE, a few DOM nodes), phases in ABBA order so a drift of the machine's load weighs
 * on both arms alike.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { until } from '../../../services/web/test/support/meeting-fixture';
import { chromiumCpuSeconds } from '../e2ee/process-tree-cpu';
import { readCpuTimes } from '../proc/proc-stat';
import type { BenchApp } from './bench-app';
import { mediaWork, type MediaWork } from './page-probe';

export type Arm = 'interface' | 'minimal';

const PARTICIPANTS = 4;
const MEDIA_FLOWING_TIMEOUT_MS = 45_000;

interface Timing {
  rounds: number;
  warmupSeconds: number;
  windowSeconds: number;
}

export const QUICK_CPU: Timing = { rounds: 1, warmupSeconds: 3, windowSeconds: 6 };
export const FULL_CPU: Timing = { rounds: 1, warmupSeconds: 5, windowSeconds: 15 };

export interface CpuPhase {
  arm: Arm;
  /** Remote video streams each page decoded when the window opened (3 each when all media flowed). */
  streamsDecoding: number[];
  windowSeconds: number;
  /** CPU time (user + system) of the whole Chromium process tree over the window. */
  cpuSeconds: number;
  chromiumCores: number;
  /** Everything the machine ran during the window, in cores (other people's work included). */
  machineBusyCores: number;
  /** Remote video frames decoded per second, over the 4 pages (12 streams). */
  decodedFramesPerSecond: number;
  /** Camera frames encoded per second, over the 4 pages and their simulcast layers. */
  encodedFramesPerSecond: number;
}

export interface InterfaceCpu {
  participants: number;
  order: Arm[];
  warmupSeconds: number;
  windowSeconds: number;
  phases: CpuPhase[];
  interfaceChromiumCores: number;
  minimalChromiumCores: number;
  /** Mean Chromium cores with the meeting client / with the minimal page. */
  ratio: number;
  /**
   * Whether every page decoded every other in every phase, and both arms decoded and encoded the same frame
   * rates (within 5 %): if not, the arms did different work and the ratio means little.
   */
  sameWork: boolean;
}

/** A, B, B, A per round. */
export function abbaOrder(rounds: number): Arm[] {
  return Array.from({ length: rounds }, (): Arm[] => ['interface', 'minimal', 'minimal', 'interface']).flat();
}

export async function measureInterfaceCpu(
  bench: BenchApp,
  timing: Timing,
  log: (line: string) => void,
): Promise<InterfaceCpu> {
  const order = abbaOrder(timing.rounds);
  const phases: CpuPhase[] = [];
  for (const [index, arm] of order.entries()) {
    const phase = await runPhase(bench, arm, index, timing, log);
    log(
      `phase ${index + 1}/${order.length} ${arm}: ${phase.chromiumCores} Chromium cores, ` +
        `${phase.decodedFramesPerSecond} decoded fps, machine busy ${phase.machineBusyCores} cores`,
    );
    phases.push(phase);
  }
  const of = (arm: Arm) => phases.filter((p) => p.arm === arm);
  const cores = (arm: Arm) => mean(of(arm).map((p) => p.chromiumCores));
  const rate = (arm: Arm, pick: (p: CpuPhase) => number) => mean(of(arm).map(pick));
  const close = (a: number, b: number) => Math.abs(a - b) <= 0.05 * Math.max(a, b);
  return {
    participants: PARTICIPANTS,
    order,
    warmupSeconds: timing.warmupSeconds,
    windowSeconds: timing.windowSeconds,
    phases,
    interfaceChromiumCores: round(cores('interface'), 3),
    minimalChromiumCores: round(cores('minimal'), 3),
    ratio: round(cores('interface') / cores('minimal'), 3),
    sameWork:
      phases.every((p) => p.streamsDecoding.every((n) => n >= PARTICIPANTS - 1)) &&
      close(
        rate('interface', (p) => p.decodedFramesPerSecond),
        rate('minimal', (p) => p.decodedFramesPerSecond),
      ) &&
      close(
        rate('interface', (p) => p.encodedFramesPerSecond),
        rate('minimal', (p) => p.encodedFramesPerSecond),
      ),
  };
}

/** One fresh meeting of 4 pages of one arm, all publishing camera and microphone: media both ways, warm-up, window. */
async function runPhase(
  bench: BenchApp,
  arm: Arm,
  index: number,
  timing: Timing,
  log: (line: string) => void,
): Promise<CpuPhase> {
  const users = Array.from({ length: PARTICIPANTS }, (_, i) => `cpu${index}-${arm}-${i}`);
  await bench.addUser(users[0]!, true);
  const invitees = await Promise.all(users.slice(1).map((user) => bench.addUser(user)));
  const meetingId = await bench.createMeeting(users[0]!, invitees);
  const pages: Page[] = [];
  try {
    for (const user of users) {
      if (arm === 'minimal') pages.push(await bench.openTestPage(user, meetingId));
      else {
        const page = await bench.signedIn(user);
        pages.push(page);
        await bench.enter(page, meetingId, { camera: true, microphone: true });
      }
    }
    // On a starved machine a stream may not start in time: the phase is then measured anyway and says so.
    const decoding = () =>
      Promise.all(pages.map((page) => mediaWork(page).then((work) => work.decodingStreams)));
    const everyone = (streams: number[]) => streams.every((n) => n >= PARTICIPANTS - 1);
    await until(decoding, everyone, MEDIA_FLOWING_TIMEOUT_MS, 'every stream decoding').catch(() => undefined);
    await sleep(timing.warmupSeconds * 1000);
    const streamsDecoding = await decoding();
    if (!everyone(streamsDecoding))
      log(`${arm}: not every page decodes every other (${streamsDecoding.join(', ')})`);
    const workBefore = await Promise.all(pages.map(mediaWork));
    const cpuBefore = chromiumCpuSeconds();
    const busyBefore = machineBusySeconds();
    const startedAt = performance.now();
    await sleep(timing.windowSeconds * 1000);
    const cpuAfter = chromiumCpuSeconds();
    const busyAfter = machineBusySeconds();
    const windowSeconds = (performance.now() - startedAt) / 1000;
    const workAfter = await Promise.all(pages.map(mediaWork));
    const perSecond = (pick: (w: MediaWork) => number) =>
      (sum(workAfter.map(pick)) - sum(workBefore.map(pick))) / windowSeconds;
    const cpuSeconds = cpuAfter.seconds - cpuBefore.seconds;
    return {
      arm,
      streamsDecoding,
      windowSeconds: round(windowSeconds, 3),
      cpuSeconds: round(cpuSeconds, 2),
      chromiumCores: round(cpuSeconds / windowSeconds, 3),
      machineBusyCores: round((busyAfter - busyBefore) / windowSeconds, 2),
      decodedFramesPerSecond: round(
        perSecond((w) => w.framesDecoded),
        1,
      ),
      encodedFramesPerSecond: round(
        perSecond((w) => w.framesEncoded),
        1,
      ),
    };
  } finally {
    for (const page of pages)
      await page
        .context()
        .close()
        .catch(() => undefined);
  }
}

function machineBusySeconds(): number {
  return [...readCpuTimes().values()].reduce((s, cpu) => s + cpu.busy, 0);
}

function sum(values: number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

function mean(values: number[]): number {
  return sum(values) / values.length;
}

export function round(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(x * scale) / scale;
}
