import { LineProcess, lastJsonLine } from '../proc/line-process';
import type { Placement } from '../proc/placement';
import type { HistogramBucket } from '../stats/latency-histogram';

/** What loadgen/receiver.c reports on exit. Window counts only hold packets the sender stamped in-window. */
export interface ReceiverSummary {
  received: number;
  windowReceived: number;
  rtcp: number;
  /** Datagrams without the sender's trailer (probation, padding, anything else). */
  foreign: number;
  badPublisher: number;
  /** Datagrams the receiver's own sockets dropped (SO_RXQ_OVFL): load-generator loss, not the target's. */
  socketDrops: number;
  negativeLatency: number;
  maxLatencyUs: number;
  windowPerPublisher: number[];
  windowPerSocket: number[];
  latencyHistogramUs: HistogramBucket[];
}

/** Receiver options. */
export interface ReceiverOptions {
  sockets: number;
  publishers: number;
  placement: Placement;
  maxMs: number;
}

/** The running receiver: one bound socket per subscriber. */
export class ReceiverProcess {
  private constructor(
    private readonly process: LineProcess,
    /** Local port of each subscriber's socket, in subscriber order. */
    readonly ports: readonly number[],
  ) {}

  /** Starts loadgen/receiver.c and waits until its sockets are bound. */
  static async start(binary: string, options: ReceiverOptions): Promise<ReceiverProcess> {
    const process = LineProcess.start(
      binary,
      [
        '--sockets',
        String(options.sockets),
        '--publishers',
        String(options.publishers),
        '--max-ms',
        String(options.maxMs),
      ],
      options.placement,
    );
    try {
      const line = await process.waitForLine((l) => l.startsWith('PORTS'), 10_000);
      return new ReceiverProcess(process, line.split(' ').slice(1).map(Number));
    } catch (error) {
      await process.stop();
      throw error;
    }
  }

  get pid(): number {
    return this.process.pid;
  }

  /** Stops receiving and returns the counts. */
  async stop(): Promise<ReceiverSummary> {
    this.process.closeStdin();
    return lastJsonLine<ReceiverSummary>(await this.process.waitForExit(5000), 'receiver');
  }

  /** Kills the receiver without waiting for a summary (error paths). */
  async abort(): Promise<void> {
    await this.process.stop(1000);
  }
}
