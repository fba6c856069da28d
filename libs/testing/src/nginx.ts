import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres';
import { stopChild, waitForTcpPort } from './child-process';

/** What the fixture chose for the nginx it starts: the generated configuration must use it. */
export interface NginxRuntime {
  host: string;
  port: number;
  dir: string;
  pidFile: string;
  errorLog: string;
  accessLog: string;
}

export interface NginxOptions {
  /** Generates `nginx.conf` (Conclave's edge generator, in the tests) for the chosen port and paths. */
  render(runtime: NginxRuntime): string;
  /** Where nginx listens: 127.0.0.1 and a free port by default. */
  listen?: { host: string; port: number };
}

export interface NginxFixture extends NginxRuntime {
  confFile: string;
  pid: number;
  /** nginx's error log so far. */
  log(): string;
  /** Stops nginx by its pid (SIGTERM, then SIGKILL) and deletes its files. */
  stop(): Promise<void>;
}

/**
 * A real nginx (Debian's, with libnginx-mod-stream) in the foreground on 127.0.0.1 and a random port, in its own
 * temporary directory, run with the configuration the caller generates.
 */
export async function startNginx(options: NginxOptions): Promise<NginxFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-nginx-'));
  const runtime: NginxRuntime = {
    host: options.listen?.host ?? '127.0.0.1',
    port: options.listen?.port ?? (await freePort()),
    dir,
    pidFile: join(dir, 'nginx.pid'),
    errorLog: join(dir, 'error.log'),
    accessLog: join(dir, 'access.log'),
  };
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(confFile, options.render(runtime));
  writeFileSync(runtime.errorLog, '');
  const child: ChildProcess = spawn('nginx', ['-e', runtime.errorLog, '-p', dir, '-c', confFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const log = () => {
    try {
      return readFileSync(runtime.errorLog, 'utf8') + stderr;
    } catch {
      return stderr;
    }
  };
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForTcpPort(runtime.host, runtime.port, Date.now() + 10_000, child, 'nginx');
  } catch (error) {
    const text = log();
    await stop();
    throw new Error(`${(error as Error).message}\n${text}`);
  }
  return { ...runtime, confFile, pid: child.pid!, log, stop };
}
