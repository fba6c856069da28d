import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAuthConfig, AuthServer } from '@conclave/auth';
import { parseRoomsConfig, RoomsServer } from '@conclave/rooms';
import {
  CertificateAuthority,
  createLogger,
  ManualClock,
  pkiPaths,
  writeSelfSignedCertificate,
} from '@conclave/server-kit';
import { createDeliveryServices, parseSfuConfig, SfuServer } from '@conclave/sfu';
import { TicketSigner } from '@conclave/testing';
import type { ScrapeTlsFiles } from './prometheus';

/** The three Conclave services, running for real on loopback, with the `host:port` of each `/metrics`. */
export interface Appliance {
  auth: AuthServer;
  rooms: RoomsServer;
  sfu: SfuServer;
  /** The SFU's signalling certificate (PEM), valid for 10 days. */
  sfuCertificate: string;
  /** Room control's clock (starts at now): advancing it expires the cached audit verification. */
  roomsClock: ManualClock;
  /** `host:port` of each service's internal listener, keyed by the job name of prometheus.yml. */
  targets: Record<'conclave-sfu' | 'conclave-auth' | 'conclave-rooms', string>;
  /** Prometheus's client certificate and the appliance root: every internal listener requires mutual TLS. */
  scrapeTls: ScrapeTlsFiles;
  close(): Promise<void>;
}

const hostPort = (url: string) => new URL(url).host;

/**
 * Starts auth, then the SFU (one real mediasoup worker), then room control trusting auth's signing keys and
 * driving the SFU's internal API: the wiring of the appliance, on random ports.
 */
export async function startAppliance(): Promise<Appliance> {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-monitoring-'));
  const logger = createLogger('monitoring-test', { level: 'error', write: () => undefined });
  const closers: (() => Promise<void>)[] = [];
  try {
    await mkdir(join(dir, 'auth'));
    await mkdir(join(dir, 'rooms'));
    // The appliance CA: every internal listener serves its certificate and requires a client certificate.
    const ca = await CertificateAuthority.init(join(dir, 'pki'), {
      passphrase: 'a test passphrase, not a secret',
    });
    const rootCert = pkiPaths(ca.dir).rootCert;
    const names = { dns: ['localhost'], ip: ['127.0.0.1'] };
    const [sfuFiles, authFiles, roomsFiles, prometheusFiles] = [
      await ca.issue('sfu', names),
      await ca.issue('auth', names),
      await ca.issue('rooms', names),
      await ca.issue('prometheus'),
    ];
    const auth = await AuthServer.start(
      parseAuthConfig({
        http: { host: '127.0.0.1', port: 0 },
        internal: { host: '127.0.0.1', port: 0, tls: { ...authFiles, clientCaFile: rootCert } },
        dataDir: join(dir, 'auth'),
      }),
      { log: logger },
    );
    closers.push(() => auth.close());
    const authJwks = join(dir, 'auth.jwks.json');
    await writeFile(authJwks, await (await fetch(`${auth.url}/api/auth/.well-known/jwks.json`)).text());

    // Ten days left: inside CertificateExpiresSoon's 21 days, outside CertificateExpiresVerySoon's 3.
    const tls = await writeSelfSignedCertificate(dir, { hosts: ['localhost', '127.0.0.1'], days: 10 });
    const signer = await TicketSigner.create(dir);
    const apiTokenFile = join(dir, 'sfu-api.token');
    await writeFile(apiTokenFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
    const sfu = await SfuServer.start(
      parseSfuConfig({
        signalling: { host: '127.0.0.1', port: 0, certFile: tls.certFile, keyFile: tls.keyFile },
        internal: {
          host: '127.0.0.1',
          port: 0,
          apiTokenFile,
          tls: { ...sfuFiles, clientCaFile: rootCert, issuerFile: pkiPaths(ca.dir).intermediateCert },
        },
        tickets: { jwksFile: signer.jwksFile },
        media: { workers: 1, listenIp: '127.0.0.1', port: 0 },
      }),
      { mls: await createDeliveryServices(), logger },
    );
    closers.push(() => sfu.close());

    const roomsClock = new ManualClock(Date.now());
    const roomsDir = join(dir, 'rooms');
    const rooms = await RoomsServer.start(
      parseRoomsConfig(
        {
          http: { host: '127.0.0.1', port: 0 },
          internal: { host: '127.0.0.1', port: 0, tls: { ...roomsFiles, clientCaFile: rootCert } },
          dataDir: roomsDir,
          auth: { jwksFile: authJwks },
          sfu: { internalUrl: sfu.internalUrl, apiTokenFile, tls: { ...roomsFiles, trustFile: rootCert } },
          tickets: { jwksOutFile: join(dir, 'tickets.jwks.json') },
        },
        roomsDir,
      ),
      { logger, clock: roomsClock },
    );
    closers.push(() => rooms.close());
    return {
      auth,
      rooms,
      sfu,
      sfuCertificate: await readFile(tls.certFile, 'utf8'),
      roomsClock,
      targets: {
        'conclave-sfu': hostPort(sfu.internalUrl),
        'conclave-auth': hostPort(auth.internalUrl),
        'conclave-rooms': hostPort(rooms.internalUrl),
      },
      scrapeTls: { caFile: rootCert, ...prometheusFiles },
      async close() {
        for (const close of closers.reverse()) await close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
