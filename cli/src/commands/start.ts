import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
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
    const { files: configs, paths, written } = await prepareDataDir(dataDir, host);
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
    await publishJwks(`http://127.0.0.1:${PORTS.auth}/api/auth/.well-known/jwks.json`, paths.authJwks);
    start('rooms');
    await waitForFile(paths.ticketsJwks);
    start('sfu');
    start('web');
    console.log(`\nConclave is starting on ${host}:`);
    console.log(`  meeting client   https://${host}:${PORTS.web}/`);
    console.log(`  SFU signalling   wss://${host}:${PORTS.sfu}/signalling`);
    console.log(`  SFU metrics      http://127.0.0.1:${PORTS.sfuInternal}/metrics`);
    console.log(
      `  auth API         https://${host}:${PORTS.web}/api/auth (also http://${host}:${PORTS.auth})`,
    );
    console.log(
      `  rooms API        https://${host}:${PORTS.web}/api/rooms (also http://${host}:${PORTS.rooms})`,
    );
    console.log(`  audit trail      conclave audit verify --config ${configs.rooms}`);
    if (existsSync(adminPasswordFile)) {
      console.log(
        `  administrator    "admin"; one-time password in ${adminPasswordFile} (root only; change it and enrol TOTP at first sign-in)`,
      );
    }
    console.log(`  state            ${dataDir} (TLS certificate, secrets, configuration)`);
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

/** Copies the auth service's public keys to the file the rooms service reads, once the service answers. */
async function publishJwks(url: string, file: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const body = await fetch(url).then(
      (r) => (r.ok ? r.text() : undefined),
      () => undefined,
    );
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
