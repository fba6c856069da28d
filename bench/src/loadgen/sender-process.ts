import { LineProcess, lastJsonLine } from '../proc/line-process';
import type { Placement } from '../proc/placement';
import type { UdpAddress } from '../targets/bench-target';
import { BENCH_SSRC_BASE } from '../traffic/bench-codecs';

/** What loadgen/sender.c reports on exit. */
export interface SenderSummary {
  publishers: number;
  rateScale: number;
  /** Per publisher: [video, audio] packets stamped in-window. */
  windowSent: [number, number][];
  sentTotal: number;
  keyframesOnRequest: number;
  keyframeRequests: number;
  rtcpReceived: number;
  sendErrors: number;
  /** In-window packets sent more than 1 ms after their schedule: the generator could not keep up. */
  lateOver1ms: number;
  /** Largest in-window delay behind schedule. */
  maxLagUs: number;
}

/** Sender options; every duration in ms. */
export interface SenderOptions {
  traceFile: string;
  destinations: readonly UdpAddress[];
  warmupMs: number;
  measureMs: number;
  tailMs: number;
  /** Playback speed in (0, 1]: all packet times are divided by it. */
  rateScale: number;
  placement: Placement;
}

/** The running sender; the measurement window is its own clock, announced on stdout. */
export class SenderProcess {
  private constructor(private readonly process: LineProcess) {}

  /** Starts loadgen/sender.c; traffic begins at once. */
  static start(binary: string, options: SenderOptions): SenderProcess {
    if (options.destinations.some((d) => d.ip !== '127.0.0.1'))
      throw new Error('the sender only sends to 127.0.0.1');
    const total = options.warmupMs + options.measureMs + options.tailMs;
    return new SenderProcess(
      LineProcess.start(
        binary,
        [
          '--trace',
          options.traceFile,
          '--dest',
          options.destinations.map((d) => d.port).join(','),
          '--ssrc-base',
          String(BENCH_SSRC_BASE),
          '--warmup-ms',
          String(options.warmupMs),
          '--measure-ms',
          String(options.measureMs),
          '--tail-ms',
          String(options.tailMs),
          '--rate-scale',
          String(options.rateScale),
          '--max-ms',
          String(total + 5000),
        ],
        options.placement,
      ),
    );
  }

  get pid(): number {
    return this.process.pid;
  }

  /** Resolves when the sender opens the measurement window. */
  windowStart(timeoutMs: number): Promise<string> {
    return this.process.waitForLine((l) => l === 'WINDOW_START', timeoutMs);
  }

  /** Resolves when the sender closes the measurement window. */
  windowEnd(timeoutMs: number): Promise<string> {
    return this.process.waitForLine((l) => l === 'WINDOW_END', timeoutMs);
  }

  /** Waits for the sender to finish its tail and returns its counts. */
  async finish(timeoutMs: number): Promise<SenderSummary> {
    return lastJsonLine<SenderSummary>(await this.process.waitForExit(timeoutMs), 'sender');
  }

  /** Kills the sender (error paths). */
  async abort(): Promise<void> {
    await this.process.stop(1000);
  }
}
