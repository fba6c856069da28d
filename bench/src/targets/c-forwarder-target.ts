import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineProcess } from '../proc/line-process';
import type { BenchTarget, BenchTargetFactory, RoomEndpoints, RoomSpec } from './bench-target';

/** Receive buffer of the forwarder's single socket: every publisher shares it, so the kernel's maximum. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
const CONSUMER_SSRC_BASE = 0x20000000;
const MAX_LIFETIME_MS = 30 * 60 * 1000;

/** The C recvmmsg/sendmmsg forwarder (c-forwarder/forwarder.c): the per-core limit for the same fan-out. */
export function cForwarderTarget(binary: string): BenchTargetFactory {
  return async () => new CForwarderTarget(binary);
}

class CForwarderTarget implements BenchTarget {
  readonly name = 'c-forwarder';
  private process: LineProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'conclave-bench-fwd-'));

  constructor(private readonly binary: string) {}

  async setupRoom(room: RoomSpec): Promise<RoomEndpoints> {
    if (this.process) throw new Error('c-forwarder: a target forwards a single room');
    const routes: string[] = [];
    for (const subscriber of room.subscribers) {
      for (const index of subscriber.publishers) {
        const { videoSsrc, audioSsrc } = room.publishers[index];
        for (const ssrc of [videoSsrc, audioSsrc]) {
          routes.push(`${ssrc} ${subscriber.sink.port} ${CONSUMER_SSRC_BASE + routes.length}`);
        }
      }
    }
    const routesFile = join(this.dir, 'routes.txt');
    writeFileSync(routesFile, routes.join('\n') + '\n');
    this.process = LineProcess.start(this.binary, [
      '--routes',
      routesFile,
      '--rcvbuf',
      String(RECEIVE_BUFFER_BYTES),
      '--max-ms',
      String(MAX_LIFETIME_MS),
    ]);
    const line = await this.process.waitForLine((l) => l.startsWith('PORT '), 5000);
    const port = Number(line.slice('PORT '.length));
    return {
      publisherAddrs: room.publishers.map(() => ({ ip: '127.0.0.1', port })),
      consumers: routes.length,
    };
  }

  workerPids(): readonly number[] {
    return this.process ? [this.process.pid] : [];
  }

  async close(): Promise<void> {
    const process = this.process;
    this.process = undefined;
    if (process) {
      process.closeStdin();
      await process.waitForExit(3000);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
