import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSelfSignedCertificate, type CertificateFiles } from '@conclave/server-kit';
import { freePort } from './postgres';
import { stopChild } from './child-process';

/** What the fixture chose for the coturn it starts: the generated configuration must use it. */
export interface CoturnRuntime {
  host: '127.0.0.1';
  /** TURN over UDP and TCP. */
  port: number;
  /** TURN over TLS (0 without `tls`). */
  tlsPort: number;
  /** The temporary directory (secret files, coturn's database). */
  dir: string;
  pidFile: string;
  logFile: string;
  databaseFile: string;
  /** A certificate for `serverName` and 127.0.0.1 when `tls` was asked. */
  tls?: CertificateFiles;
}

export interface CoturnOptions {
  /** Generates `turnserver.conf` (Conclave's generator, in the tests) for the chosen ports and paths. */
  render(runtime: CoturnRuntime): string;
  /** Generates a self-signed certificate for the TLS listener. */
  tls?: boolean;
  /** Name in the certificate; `turn.conclave.test` by default. */
  serverName?: string;
}

export interface CoturnFixture extends CoturnRuntime {
  /** The file coturn runs with. */
  confFile: string;
  pid: number;
  /** coturn's log so far. */
  log(): string;
  /** Stops coturn by its pid (SIGTERM, then SIGKILL) and deletes its files. */
  stop(): Promise<void>;
}

/**
 * A real coturn (Debian's `turnserver -c <file>`) on 127.0.0.1 and random ports, in its own temporary directory,
 * run with the configuration the caller generates for those ports.
 */
export async function startCoturn(options: CoturnOptions): Promise<CoturnFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-coturn-'));
  const serverName = options.serverName ?? 'turn.conclave.test';
  const tls = options.tls
    ? await writeSelfSignedCertificate(join(dir, 'tls'), { hosts: [serverName, '127.0.0.1'], name: 'turn' })
    : undefined;
  const runtime: CoturnRuntime = {
    host: '127.0.0.1',
    port: await freePort(),
    tlsPort: tls ? await freePort() : 0,
    dir,
    pidFile: join(dir, 'turnserver.pid'),
    logFile: join(dir, 'turnserver.log'),
    databaseFile: join(dir, 'turndb'),
    ...(tls ? { tls } : {}),
  };
  const confFile = join(dir, 'turnserver.conf');
  writeFileSync(confFile, options.render(runtime), { mode: 0o600 });
  writeFileSync(runtime.logFile, '');
  const child: ChildProcess = spawn('turnserver', ['-c', confFile], { stdio: 'ignore' });
  const log = () => {
    try {
      return readFileSync(runtime.logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(runtime.port, child);
  } catch (error) {
    const tail = log().split('\n').slice(-20).join('\n');
    await stop();
    throw new Error(`${(error as Error).message}\n${tail}`);
  }
  return { ...runtime, confFile, pid: child.pid!, log, stop };
}

/** coturn is ready when a STUN Binding request (RFC 8489 §5, 20-byte header only) gets its success response. */
async function waitUntilAnswering(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  const socket = createSocket('udp4');
  const answered = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if (data.length >= 20 && data.readUInt16BE(0) === 0x0101) resolve();
    }),
  );
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`turnserver exited with status ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('turnserver did not answer on UDP');
      const request = Buffer.alloc(20);
      request.writeUInt16BE(0x0001, 0);
      request.writeUInt32BE(0x2112a442, 4);
      randomBytes(12).copy(request, 8);
      socket.send(request, port, '127.0.0.1');
      const ok = await Promise.race([
        answered.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
      ]);
      if (ok) return;
    }
  } finally {
    socket.close();
  }
}
