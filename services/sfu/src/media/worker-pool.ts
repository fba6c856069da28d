import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from '@conclave/server-kit';

export interface WorkerPoolOptions {
  size: number;
  listenIp: string;
  announcedAddress?: string;
  /** First port; worker i uses port + i for both UDP and TCP. 0 picks random ports. */
  port: number;
  logLevel: types.WorkerLogLevel;
}

/** One mediasoup worker (one process, one core) and its WebRTC server (one UDP + one TCP port). */
export interface PooledWorker {
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  /** Rooms currently routed on this worker. */
  rooms: number;
}

/** A slot whose worker keeps dying is restarted after a growing delay (a packet of death must not spin a core). */
const RESTART_WINDOW_MS = 60_000;
const RESTART_BASE_DELAY_MS = 50;
const RESTART_MAX_DELAY_MS = 10_000;

export interface WorkerPoolEvents {
  /** A worker died and `replacement` took its slot; rooms on `dead` must move. */
  replaced: [dead: PooledWorker, replacement: PooledWorker];
  /** A worker died and could not be replaced. */
  lost: [dead: PooledWorker, error: Error];
}

/**
 * A fixed number of mediasoup workers. A dead worker is replaced at once in the same slot (same ports), and
 * `replaced` lets the rooms that lived on it move to the new one.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  private readonly slots: (PooledWorker | undefined)[] = [];
  /** Recent death times per slot, for the restart back-off. */
  private readonly deaths = new Map<number, number[]>();
  private closed = false;

  private constructor(
    private readonly options: WorkerPoolOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  static async start(options: WorkerPoolOptions, log: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(options, log);
    try {
      for (let index = 0; index < options.size; index++) {
        pool.slots[index] = await pool.spawn(index);
      }
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get workers(): readonly PooledWorker[] {
    return this.slots.filter((w): w is PooledWorker => w !== undefined);
  }

  /** The worker hosting the fewest rooms (new rooms go there). */
  leastLoaded(): PooledWorker {
    const candidates = this.workers;
    if (candidates.length === 0) throw new Error('no mediasoup worker is running');
    return candidates.reduce((best, w) => (w.rooms < best.rooms ? w : best));
  }

  close(): void {
    this.closed = true;
    for (const slot of this.slots) slot?.worker.close();
  }

  private async spawn(index: number): Promise<PooledWorker> {
    const worker = await mediasoup.createWorker({ logLevel: this.options.logLevel });
    const port = this.options.port === 0 ? undefined : this.options.port + index;
    const listen = (protocol: 'udp' | 'tcp'): types.TransportListenInfo => ({
      protocol,
      ip: this.options.listenIp,
      ...(this.options.announcedAddress !== undefined
        ? { announcedAddress: this.options.announcedAddress }
        : {}),
      ...(port !== undefined ? { port } : {}),
    });
    let webRtcServer: types.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
    } catch (error) {
      worker.close();
      throw error;
    }
    const pooled: PooledWorker = { index, worker, webRtcServer, rooms: 0 };
    worker.on('died', (error) => void this.onDied(pooled, error));
    this.log.info('mediasoup worker started', { index, pid: worker.pid });
    return pooled;
  }

  private async onDied(dead: PooledWorker, error: Error): Promise<void> {
    if (this.closed) return;
    this.log.error('mediasoup worker died; replacing it', { index: dead.index, pid: dead.worker.pid, error });
    this.slots[dead.index] = undefined;
    const now = Date.now();
    const recent = (this.deaths.get(dead.index) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
    recent.push(now);
    this.deaths.set(dead.index, recent);
    if (recent.length > 1) {
      const delay = Math.min(RESTART_MAX_DELAY_MS, RESTART_BASE_DELAY_MS * 2 ** (recent.length - 1));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    // The dead process's ports may take a moment to be released by the kernel.
    for (let attempt = 0; attempt < 20 && !this.closed; attempt++) {
      try {
        const replacement = await this.spawn(dead.index);
        this.slots[dead.index] = replacement;
        this.emit('replaced', dead, replacement);
        return;
      } catch (spawnError) {
        if (attempt === 19) {
          this.emit('lost', dead, spawnError as Error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
      }
    }
  }
}
