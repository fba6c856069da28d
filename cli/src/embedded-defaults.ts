import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeSelfSignedCertificate } from '@conclave/server-kit';
import { exitCodeOf, spawnNode } from './child-process';
import { CliError } from './command';
import { ROOT, serviceMain } from './paths';

/** The services `conclave start` runs, each with one configuration file under `<data-dir>/config`. */
export type EmbeddedService = 'auth' | 'rooms' | 'sfu' | 'web';

/** Embedded defaults: everything on this host, state under one data directory, TLS with a local certificate. */
export const PORTS = {
  sfu: 4443,
  sfuInternal: 9464,
  media: 40000,
  web: 8443,
  auth: 8081,
  authInternal: 9466,
  rooms: 8444,
  roomsInternal: 9465,
} as const;

/** Creates what the embedded set-up needs, once; later starts reuse it. Returns each service's config file. */
export async function prepareDataDir(dataDir: string, host: string) {
  const dirs = {
    tls: join(dataDir, 'tls'),
    secrets: join(dataDir, 'secrets'),
    config: join(dataDir, 'config'),
    keys: join(dataDir, 'keys'),
  };
  for (const dir of [dataDir, ...Object.values(dirs)]) await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dirs.secrets, 0o700);

  const certFile = join(dirs.tls, 'server.crt');
  const keyFile = join(dirs.tls, 'server.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    await writeSelfSignedCertificate(dirs.tls, {
      hosts: ['localhost', '127.0.0.1', ...(host !== '127.0.0.1' ? [host] : [])],
      days: 365,
    });
  }
  const apiTokenFile = join(dirs.secrets, 'sfu-internal-api.token');
  if (!existsSync(apiTokenFile))
    await writeFile(apiTokenFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  const ticketsJwks = join(dirs.keys, 'tickets.jwks.json');
  const authJwks = join(dirs.keys, 'auth.jwks.json');
  const roomsData = join(dataDir, 'rooms');
  // One audit trail: the rooms database and checkpoint key, which the auth service appends to as well.
  const trail = {
    database: { type: 'sqlite', path: join(roomsData, 'rooms.db') },
    keyFile: join(roomsData, 'audit-checkpoint.key'),
  };

  const sfu = {
    signalling: { host, port: PORTS.sfu, certFile, keyFile },
    internal: { host: '127.0.0.1', port: PORTS.sfuInternal, apiTokenFile },
    tickets: { jwksFile: ticketsJwks },
    media: { listenIp: host, port: PORTS.media },
    audit: { trail },
  };
  const web = {
    http: { host, port: PORTS.web, certFile, keyFile },
    connectOrigins: [`wss://${host}:${PORTS.sfu}`],
    bundleDir: join(dataDir, 'web'),
    // Built ahead of time by `conclave start` (and `nx run meeting-app:build`); the server only serves it.
    appDir: join(ROOT, 'dist/web-app'),
    // One origin for the browser: the APIs under https://<host>:8443/api/… (no CORS, `__Host-` cookies).
    proxy: {
      auth: `http://${host}:${PORTS.auth}`,
      rooms: `http://${host}:${PORTS.rooms}`,
      signalling: `https://${host}:${PORTS.sfu}`,
      signallingCaFile: certFile,
    },
  };
  const auth = {
    http: { host, port: PORTS.auth },
    internal: { host: '127.0.0.1', port: PORTS.authInternal },
    dataDir: join(dataDir, 'auth'),
    audit: { trail },
  };
  const rooms = {
    http: { host, port: PORTS.rooms },
    internal: { host: '127.0.0.1', port: PORTS.roomsInternal },
    dataDir: roomsData,
    auth: { jwksFile: authJwks },
    tickets: { jwksOutFile: ticketsJwks },
    sfu: {
      internalUrl: `http://127.0.0.1:${PORTS.sfuInternal}`,
      apiTokenFile,
      signallingUrl: `wss://${host}:${PORTS.sfu}/signalling`,
    },
  };
  const files = {
    auth: join(dirs.config, 'auth.yaml'),
    rooms: join(dirs.config, 'rooms.yaml'),
    sfu: join(dirs.config, 'sfu.yaml'),
    web: join(dirs.config, 'web.yaml'),
  };
  const header =
    '# Written once by `conclave start` (embedded defaults); later starts keep your edits and validate them.\n' +
    '# See docs/configuration.md.\n';
  const written: string[] = [];
  for (const [name, body] of [
    ['sfu', sfu],
    ['web', web],
    ['auth', auth],
    ['rooms', rooms],
  ] as const) {
    if (existsSync(files[name])) continue;
    await writeFile(files[name], header + stringify(body), { mode: 0o600, flag: 'wx' });
    written.push(files[name]);
  }
  return { files, paths: { authJwks, ticketsJwks }, written };
}

/**
 * Runs every service's `--check` on its configuration file; throws a `CliError` (exit 2) quoting each service's
 * complaint, so an edited file with a mistake stops `conclave start` before any service starts.
 */
export async function validateConfigs(files: Record<EmbeddedService, string>): Promise<void> {
  const results = await Promise.all(
    (Object.keys(files) as EmbeddedService[]).map(async (name) => {
      const child = spawnNode(serviceMain(name), ['--config', files[name], '--check'], process.env, 'pipe');
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout?.resume();
      const code = await exitCodeOf(child);
      return code === 0 ? undefined : `${files[name]}:\n  ${stderr.trim().split('\n').join('\n  ')}`;
    }),
  );
  const problems = results.filter((p): p is string => p !== undefined);
  if (problems.length > 0)
    throw new CliError(`the configuration is not valid; fix it and start again:\n${problems.join('\n')}`, 2);
}
