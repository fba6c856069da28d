import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { MONITORING_DIR } from './monitoring-files';

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
}

interface PrometheusConfig {
  global: Record<string, unknown>;
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

/** A port free on loopback now (the kernel's choice); Prometheus binds it right after. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * deploy/monitoring/prometheus.yml with each job's targets replaced by `targets[job]` (jobs absent from `targets`
 * are an error: the test must cover every job), a 1 s scrape and evaluation interval, and the rule files by
 * absolute path. Everything else is the committed configuration.
 */
export async function rewrittenConfig(targets: Record<string, string>): Promise<PrometheusConfig> {
  const config = parse(await readFile(join(MONITORING_DIR, 'prometheus.yml'), 'utf8')) as PrometheusConfig;
  for (const job of config.scrape_configs) {
    const target = targets[job.job_name];
    if (target === undefined) throw new Error(`no running target for job ${job.job_name}`);
    for (const group of job.static_configs) group.targets = [target];
  }
  config.global = {
    ...config.global,
    scrape_interval: '1s',
    scrape_timeout: '1s',
    evaluation_interval: '1s',
  };
  config.rule_files = config.rule_files.map((glob) => join(MONITORING_DIR, glob));
  return config;
}

export interface RunningPrometheus {
  url: string;
  /** GETs `/api/v1/<path>` and returns `data`, failing on any status but `success`. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** Starts the Debian `prometheus` binary on a random loopback port with `config`, and waits until it is ready. */
export async function startPrometheus(
  config: PrometheusConfig,
  readyWithinMs = 30_000,
): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready within ${readyWithinMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    async api<T>(path: string): Promise<T> {
      const response = await fetch(`${url}/api/v1/${path}`);
      const body = (await response.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.status}`);
      return body.data;
    },
    stop,
  };
}
