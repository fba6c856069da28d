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
  scheme?: string;
  tls_config?: { ca_file?: string; cert_file?: string; key_file?: string };
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
}

/** Where a test's Prometheus finds the appliance root and its own client certificate and key. */
export interface ScrapeTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface PrometheusConfig {
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
export async function rewrittenConfig(
  targets: Record<string, string>,
  tls: ScrapeTlsFiles,
): Promise<PrometheusConfig> {
  const config = withLocalFiles(await committedConfig(), tls);
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
  return config;
}

/** deploy/monitoring/prometheus.yml as committed. */
export async function committedConfig(): Promise<PrometheusConfig> {
  return parse(await readFile(join(MONITORING_DIR, 'prometheus.yml'), 'utf8')) as PrometheusConfig;
}

/**
 * `config` with the rule files by absolute path and each job's TLS files (the committed /etc/prometheus/…
 * paths) replaced by `tls`, so it can be run or checked from another directory.
 */
export function withLocalFiles(config: PrometheusConfig, tls: ScrapeTlsFiles): PrometheusConfig {
  return {
    ...config,
    rule_files: config.rule_files.map((glob) => join(MONITORING_DIR, glob)),
    scrape_configs: config.scrape_configs.map((job) =>
      job.tls_config === undefined
        ? job
        : { ...job, tls_config: { ca_file: tls.caFile, cert_file: tls.certFile, key_file: tls.keyFile } },
    ),
  };
}

/** Writes `config` to a new temporary directory; returns the file. */
export async function writeConfig(config: PrometheusConfig): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'conclave-prometheus-config-')), 'prometheus.yml');
  await writeFile(file, stringify(config));
  return file;
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
