import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { CertificateAuthority, EXPIRY_WARNING_DAYS, PkiError } from '@conclave/server-kit';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../command';
import { NODE_WRAPPER, ROOT, serviceMain } from '../paths';
import { checkRelayAndEdge } from '../relay-checks';
import { runnableServices } from './serve';

/** What a service's `--check` prints once its configuration validated. */
interface ServiceCheck {
  service: string;
  listeners: { label: string; host: string; port: number }[];
  certificates: { certFile: string; keyFile: string }[];
}

interface Check {
  ok: boolean;
  /** Passes, but needs the operator soon (a certificate expiring within 30 days). */
  warn?: boolean;
  label: string;
  detail: string;
}

/** Libraries the worker must take from Debian (security updates) rather than carry itself. */
const DEBIAN_LIBRARIES = ['libssl.so.3', 'libcrypto.so.3', 'libsrtp2.so.1', 'libuv.so.1'];

export const command: CliCommand = {
  name: 'doctor',
  summary:
    'check the runtime, the mediasoup worker, ports, configuration, certificates, the TURN relay and the SNI edge',
  usage: [
    'doctor [--service <name> --config <file.yaml>] [--pki <dir>] [--turn <turn.yaml>] [--edge <edge.yaml>] [--ca <root.pem>]',
  ],
  async run(args) {
    const { values } = parseCommandArgs(args, {
      config: { type: 'string', short: 'c' },
      service: { type: 'string', default: 'sfu' },
      pki: { type: 'string' },
      turn: { type: 'string' },
      edge: { type: 'string' },
      ca: { type: 'string' },
    });
    if (!runnableServices().includes(values.service))
      throw new UsageError(`unknown service '${values.service}'`);
    const checks: Check[] = [checkNode(), ...checkWorker()];
    if (values.config !== undefined) {
      const result = checkServiceConfig(values.service, values.config);
      checks.push(result.check);
      for (const { certFile, keyFile } of result.summary?.certificates ?? [])
        checks.push(checkCertificate(certFile, keyFile));
      for (const { label, host, port } of result.summary?.listeners ?? [])
        checks.push(await checkPort(label, host, port));
    }
    if (values.pki !== undefined) checks.push(...(await checkPki(values.pki)));
    checks.push(
      ...(await checkRelayAndEdge({
        turnFile: values.turn,
        edgeFile: values.edge,
        ca: values.ca !== undefined ? readFileSync(values.ca, 'utf8') : undefined,
      })),
    );
    for (const check of checks)
      console.log(`${check.ok ? (check.warn === true ? '⚠' : '✔') : '✖'} ${check.label}: ${check.detail}`);
    const failed = checks.filter((c) => !c.ok).length;
    console.log(failed === 0 ? 'all checks passed' : `${failed} check(s) failed`);
    return failed === 0 ? 0 : 1;
  },
};

/** Validates a service's configuration the way the service itself will, by running it with `--check`. */
function checkServiceConfig(service: string, config: string): { check: Check; summary?: ServiceCheck } {
  try {
    const out = execFileSync(NODE_WRAPPER, [serviceMain(service), '--config', config, '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const summary = JSON.parse(out.trim().split('\n').pop()!) as ServiceCheck;
    return { check: { ok: true, label: `${service} configuration`, detail: `${config} is valid` }, summary };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim();
    return { check: { ok: false, label: `${service} configuration`, detail: stderr } };
  }
}

function checkNode(): Check {
  const pinned = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
  const running = process.versions.node;
  return {
    ok: running === pinned,
    label: 'Node.js',
    detail:
      running === pinned
        ? `v${running} (pinned, ${process.execPath})`
        : `v${running} runs but v${pinned} is pinned`,
  };
}

function checkWorker(): Check[] {
  const bin = process.env.MEDIASOUP_WORKER_BIN;
  if (bin === undefined)
    return [
      { ok: false, label: 'mediasoup worker', detail: 'MEDIASOUP_WORKER_BIN is not set (run npm run setup)' },
    ];
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return [{ ok: false, label: 'mediasoup worker', detail: `${bin} is missing or not executable` }];
  }
  const checks: Check[] = [];
  let info = '';
  try {
    info = readFileSync(join(dirname(bin), 'BUILD-INFO'), 'utf8');
  } catch {
    info = '';
  }
  const version = /^mediasoup (.+)$/m.exec(info)?.[1] ?? 'unknown version';
  checks.push({
    ok: true,
    label: 'mediasoup worker',
    detail: `${bin} (mediasoup ${version}, built offline)`,
  });
  let ldd = '';
  try {
    ldd = execFileSync('ldd', [bin], { encoding: 'utf8' });
  } catch (error) {
    return [
      ...checks,
      { ok: false, label: 'worker linking', detail: `ldd failed: ${(error as Error).message}` },
    ];
  }
  const linked = DEBIAN_LIBRARIES.map((lib) => ({
    lib,
    path: new RegExp(`${lib.replace(/\./g, '\\.')} => (\\S+)`).exec(ldd)?.[1],
  }));
  const missing = linked.filter((l) => l.path === undefined || l.path === 'not');
  checks.push({
    ok: missing.length === 0,
    label: 'worker linking',
    detail:
      missing.length === 0
        ? `dynamically linked to Debian's ${linked.map((l) => `${l.lib} (${l.path})`).join(', ')}`
        : `not linked to ${missing.map((l) => l.lib).join(', ')}`,
  });
  return checks;
}

function checkCertificate(certFile: string, keyFile: string): Check {
  try {
    const certificate = new X509Certificate(readFileSync(certFile));
    accessSync(keyFile, constants.R_OK);
    const expires = new Date(certificate.validTo);
    const days = Math.floor((expires.getTime() - Date.now()) / 86_400_000);
    return {
      ok: days > 0,
      label: 'TLS certificate',
      detail:
        days > 0
          ? `${certFile}: ${certificate.subject.replace(/\n/g, ', ')}, expires in ${days} days`
          : `${certFile} has expired`,
    };
  } catch (error) {
    return {
      ok: false,
      label: 'TLS certificate',
      detail: `${certFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
}

/** The appliance CA (`conclave certs status`): every chain, and expiries with a warning at 30 days. */
async function checkPki(dir: string): Promise<Check[]> {
  try {
    return (await CertificateAuthority.open(dir).status()).map((entry) => ({
      ok: entry.state === 'ok' || entry.state === 'expiring',
      warn: entry.state === 'expiring',
      label: `certificate ${entry.name}`,
      detail:
        entry.state === 'broken'
          ? `chain broken: ${entry.problems.join('; ')}`
          : entry.state === 'expired'
            ? `${entry.file} has expired`
            : `${entry.subject}, expires in ${entry.daysLeft} days` +
              (entry.state === 'expiring'
                ? ` (within ${EXPIRY_WARNING_DAYS}: run conclave certs rotate)`
                : ''),
    }));
  } catch (error) {
    if (error instanceof PkiError)
      return [{ ok: false, label: 'certificate authority', detail: error.message }];
    throw error;
  }
}

function checkPort(label: string, host: string, port: number): Promise<Check> {
  if (port === 0) return Promise.resolve({ ok: true, label, detail: 'chosen at start-up' });
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, label, detail: `${host}:${port} is not available (${error.code})` }),
    );
    server.listen(port, host, () =>
      server.close(() => resolve({ ok: true, label, detail: `${host}:${port} is free` })),
    );
  });
}
