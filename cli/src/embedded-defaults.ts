import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CertificateAuthority, fingerprint, pkiPaths, readPassphraseFile } from '@conclave/server-kit';
import { exitCodeOf, spawnNode } from './child-process';
import { CliError } from './command';
import { ROOT, serviceMain } from './paths';

/** The services `conclave start` runs, each with one configuration file under `<data-dir>/config`. */
export type EmbeddedService = 'auth' | 'rooms' | 'sfu' | 'web';

/** Embedded defaults: everything on this host, state under one data directory, TLS from the appliance's own CA. */
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
    secrets: join(dataDir, 'secrets'),
    config: join(dataDir, 'config'),
    keys: join(dataDir, 'keys'),
  };
  for (const dir of [dataDir, ...Object.values(dirs)]) await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dirs.secrets, 0o700);

  const trust = await prepareCertificates(join(dataDir, 'pki'), dirs.secrets, host);
  const tlsOf = (service: string) => ({
    certFile: trust.paths.serviceCert(service),
    keyFile: trust.paths.serviceKey(service),
  });
  const sfuTls = tlsOf('sfu');
  const webTls = tlsOf('web');
  const rootCert = trust.root.certFile;
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
    signalling: { host, port: PORTS.sfu, ...sfuTls },
    // Mutual TLS: only room control's certificate reaches the internal API (docs/security/tls.md).
    internal: {
      host: '127.0.0.1',
      port: PORTS.sfuInternal,
      apiTokenFile,
      tls: { ...sfuTls, clientCaFile: rootCert, issuerFile: trust.paths.intermediateCert },
    },
    tickets: { jwksFile: ticketsJwks },
    media: { listenIp: host, port: PORTS.media },
    audit: { trail },
  };
  const web = {
    http: { host, port: PORTS.web, ...webTls },
    connectOrigins: [`wss://${host}:${PORTS.sfu}`],
    bundleDir: join(dataDir, 'web'),
    // Built ahead of time by `conclave start` (and `nx run meeting-app:build`); the server only serves it.
    appDir: join(ROOT, 'dist/web-app'),
    // One origin for the browser: the APIs under https://<host>:8443/api/… (no CORS, `__Host-` cookies).
    proxy: {
      auth: `https://${host}:${PORTS.auth}`,
      rooms: `https://${host}:${PORTS.rooms}`,
      signalling: `https://${host}:${PORTS.sfu}`,
      caFile: rootCert,
    },
  };
  const auth = {
    http: { host, port: PORTS.auth, ...tlsOf('auth') },
    internal: {
      host: '127.0.0.1',
      port: PORTS.authInternal,
      tls: { ...tlsOf('auth'), clientCaFile: rootCert },
    },
    dataDir: join(dataDir, 'auth'),
    audit: { trail },
  };
  const rooms = {
    http: { host, port: PORTS.rooms, ...tlsOf('rooms') },
    internal: {
      host: '127.0.0.1',
      port: PORTS.roomsInternal,
      tls: { ...tlsOf('rooms'), clientCaFile: rootCert },
    },
    dataDir: roomsData,
    auth: { jwksFile: authJwks },
    tickets: { jwksOutFile: ticketsJwks },
    sfu: {
      internalUrl: `https://127.0.0.1:${PORTS.sfuInternal}`,
      apiTokenFile,
      tls: { ...tlsOf('rooms'), trustFile: rootCert },
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
  return { files, paths: { authJwks, ticketsJwks }, written, trust: trust.root };
}

/** Service certificates of the embedded set-up: the SFU's also serves its internal listener. */
export const EMBEDDED_CERTIFICATES = ['sfu', 'web', 'auth', 'rooms'] as const;

/**
 * The appliance's own CA on first run (issue 13 §1), and certificates for the SFU, the web client, auth and
 * room control that are issued when missing (a data directory from an earlier version gets the new ones) and
 * re-issued at each start when they expire within 30 days. The embedded set-up keeps the root's
 * passphrase in `secrets/` to run unattended; a production install creates its root with
 * `conclave certs init` and keeps it offline (docs/operations/certificates.md).
 */
async function prepareCertificates(pkiDir: string, secretsDir: string, host: string) {
  const paths = pkiPaths(pkiDir);
  const passphraseFile = join(secretsDir, 'root-ca.passphrase');
  if (!existsSync(paths.rootCert)) {
    if (!existsSync(passphraseFile))
      await writeFile(passphraseFile, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    await CertificateAuthority.init(pkiDir, { passphrase: readPassphraseFile(passphraseFile) });
  }
  const ca = CertificateAuthority.open(pkiDir);
  const names = {
    dns: ['localhost', ...(isIP(host) === 0 ? [host] : [])],
    ip: ['127.0.0.1', ...(isIP(host) !== 0 && host !== '127.0.0.1' ? [host] : [])],
  };
  // Each service's certificate serves its listeners and, by its URI SAN, names it to internal APIs.
  for (const service of EMBEDDED_CERTIFICATES)
    if (!existsSync(paths.serviceCert(service))) await ca.issue(service, names);
  await ca.rotate({ rootPassphrase: async () => readPassphraseFile(passphraseFile) });
  return { paths, root: { certFile: paths.rootCert, fingerprint: fingerprint(ca.rootCertificate) } };
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
