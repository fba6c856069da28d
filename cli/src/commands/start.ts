import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { parse } from 'yaml';
import { parseCommandArgs } from '../args';
import { exitCodeOf, spawnNode } from '../child-process';
import { CliError, type CliCommand } from '../command';
import { PORTS, prepareDataDir, validateConfigs } from '../embedded-defaults';
import { DEFAULT_DATA_DIR, ROOT, serviceMain } from '../paths';

export const command: CliCommand = {
  name: 'start',
  summary: 'run Conclave on this machine with its embedded defaults (what `npm start` does)',
  usage: ['start [--data-dir <dir>] [--host <address>]'],
  async run(args) {
    const { values } = parseCommandArgs(args, {
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      host: { type: 'string', default: '127.0.0.1' },
    });
    const dataDir = values['data-dir'];
    const host = values.host;
    const { files: configs, paths, written, trust } = await prepareDataDir(dataDir, host);
    if (written.length > 0) console.log(`conclave: wrote the embedded configuration: ${written.join(', ')}`);
    // The files are the operator's once written: check them as they are now before starting anything.
    await validateConfigs(configs);
    const adminPasswordFile = join(dataDir, 'secrets', 'admin-initial-password');
    // The first administrator, once: a random one-time password in a file only root can read.
    const bootstrap = spawnNode(join(ROOT, 'cli/src/main.ts'), [
      'user',
      'bootstrap-admin',
      '--password-file',
      adminPasswordFile,
      '--config',
      configs.auth,
    ]);
    const bootstrapCode = await exitCodeOf(bootstrap);
    if (bootstrapCode !== 0) throw new CliError('could not create the first administrator', bootstrapCode);

    // The meeting client is built ahead of time (skipped when its sources did not change); web only serves it.
    const appBuildCode = await exitCodeOf(spawnNode(join(ROOT, 'services/web/src/build-app.ts'), []));
    if (appBuildCode !== 0) throw new CliError('could not build the meeting client', appBuildCode);

    // In dependency order: rooms checks auth's tokens, the SFU checks rooms' tickets.
    const children: { name: string; child: ChildProcess }[] = [];
    const start = (name: keyof typeof configs) =>
      children.push({ name, child: spawnNode(serviceMain(name), ['--config', configs[name]]) });
    start('auth');
    // A data directory from before TLS keeps its plain-HTTP auth.yaml (docs/operations/certificates.md).
    const authTls = servesTls(configs.auth);
    await publishJwks(
      `${authTls ? 'https' : 'http'}://127.0.0.1:${PORTS.auth}/api/auth/.well-known/jwks.json`,
      paths.authJwks,
      readFileSync(trust.certFile),
    );
    start('rooms');
    await waitForFile(paths.ticketsJwks);
    start('sfu');
    start('web');
    console.log(`\nConclave is starting on ${host}:`);
    console.log(`  meeting client   https://${host}:${PORTS.web}/`);
    console.log(`  SFU signalling   wss://${host}:${PORTS.sfu}/signalling`);
    const direct = (tls: boolean, port: number) => `${tls ? 'https' : 'http'}://${host}:${port}`;
    console.log(
      `  SFU metrics      https://127.0.0.1:${PORTS.sfuInternal}/metrics (client certificate from the appliance CA)`,
    );
    console.log(
      `  auth API         https://${host}:${PORTS.web}/api/auth (also ${direct(authTls, PORTS.auth)})`,
    );
    console.log(
      `  rooms API        https://${host}:${PORTS.web}/api/rooms (also ${direct(servesTls(configs.rooms), PORTS.rooms)})`,
    );
    console.log(`  audit trail      conclave audit verify --config ${configs.rooms}`);
    if (existsSync(adminPasswordFile)) {
      console.log(
        `  administrator    "admin"; one-time password in ${adminPasswordFile} (root only; change it and enrol TOTP at first sign-in)`,
      );
    }
    console.log(`  state            ${dataDir} (certificate authority, secrets, configuration)`);
    console.log(`  trust the root   ${trust.certFile} (SHA-256 ${trust.fingerprint})`);
    console.log(
      '                   import it as an authority in the browser (Chromium: Settings › Privacy and security › Security › Manage certificates › Authorities; Firefox: Settings › Privacy & Security › View Certificates › Authorities), or see docs/operations/certificates.md',
    );
    console.log('Press Ctrl-C to stop.\n');

    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // One service ending (crash or stop) stops the others: a half-running appliance is worse than none.
    const first = await Promise.race(
      children.map(async ({ name, child }) => ({ name, code: await exitCodeOf(child) })),
    );
    if (!stopping)
      console.error(`conclave: ${first.name} exited with code ${first.code}; stopping the others`);
    stop();
    const codes = await Promise.all(
      children.map(({ child }) => (child.exitCode !== null ? child.exitCode : exitCodeOf(child))),
    );
    console.log('Conclave stopped.');
    return stopping && first.code === 0 ? 0 : Math.max(...codes, first.code === 0 ? 0 : 1);
  },
};

/** Whether a service's configuration file gives its public listener a certificate (`http.certFile`). */
function servesTls(configFile: string): boolean {
  const config = parse(readFileSync(configFile, 'utf8')) as { http?: { certFile?: unknown } } | null;
  return typeof config?.http?.certFile === 'string';
}

/**
 * Copies the auth service's public keys to the file the rooms service reads, once the service answers; over
 * HTTPS the auth certificate must chain to `ca`, the appliance root.
 */
async function publishJwks(url: string, file: string, ca: Buffer): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const body = await (
      url.startsWith('https:') ? getOverTls(url, ca) : fetch(url).then((r) => (r.ok ? r.text() : undefined))
    ).catch(() => undefined);
    if (body !== undefined) {
      await writeFile(file, body);
      return;
    }
    if (Date.now() > deadline) throw new CliError(`the auth service did not answer at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function waitForFile(file: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new CliError(`${file} was not written in time`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The body of a 200 reply over HTTPS verified against `ca`; undefined for another status. */
function getOverTls(url: string, ca: Buffer): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.once('end', () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.once('timeout', () => req.destroy(new Error('timed out')));
    req.once('error', reject);
    req.end();
  });
}
