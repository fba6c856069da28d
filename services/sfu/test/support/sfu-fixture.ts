import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { SignallingClient, type WebSocketLike } from '@conclave/client';
import {
  createLogger,
  MemoryAuditSink,
  mutualTlsClientOptions,
  pkiPaths,
  writeSelfSignedCertificate,
  type CertificateAuthority,
} from '@conclave/server-kit';
import { MemberCredentialSigner, TicketSigner, type TicketClaimsInput } from '@conclave/testing';
import { parseSfuConfig, SfuServer, type SfuConfigInput } from '@conclave/sfu';
import { createDeliveryServices } from '../../src/e2ee/delivery-service';

export interface SfuFixture {
  server: SfuServer;
  signer: TicketSigner;
  /** Stands in for room control's member credentials (clients' MLS identities). */
  credentials: MemberCredentialSigner;
  audit: MemoryAuditSink;
  caPem: string;
  apiToken: string;
  dir: string;
  /** Opens a signalling connection (TLS verified against the fixture's certificate). */
  connect(): Promise<SignallingClient>;
  /** Connects and sends `hello` with a fresh ticket. */
  join(
    claims: TicketClaimsInput,
  ): Promise<{ client: SignallingClient; hello: Awaited<ReturnType<SignallingClient['hello']>> }>;
  /** Calls the internal API with the bearer token (and room control's client certificate under `internalCa`). */
  internal(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Under `internalCa`: room control's client certificate and the root, for `sfu.tls` of room control. */
  internalClient?: { certFile: string; keyFile: string; trustFile: string };
  close(): Promise<void>;
}

type Overrides = Omit<Partial<SfuConfigInput>, 'signalling' | 'tickets' | 'internal'> & {
  signalling?: Partial<SfuConfigInput['signalling']>;
};

export interface SfuFixtureOptions {
  /** Check tickets against this JWKS (e.g. the room-control service's) instead of the fixture signer's. */
  jwksFile?: string;
  /** Collect every log line of the SFU here, at debug level (tests that prove what never reaches a log). */
  logLines?: string[];
  /** Let the SFU open the audit path its configuration names (`audit.trail`) instead of an in-memory sink. */
  configuredAudit?: boolean;
  /**
   * Mutual TLS on the internal listener with certificates from this appliance CA: the SFU gets an `sfu`
   * certificate, callers need a `rooms` one (issued for `internalClient`).
   */
  internalCa?: CertificateAuthority;
}

/** A real SFU (real mediasoup workers) on loopback with its own certificate, ticket key and API token. */
export async function startSfu(
  overrides: Overrides = {},
  options: SfuFixtureOptions = {},
): Promise<SfuFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-sfu-'));
  const tls = await writeSelfSignedCertificate(dir, { hosts: ['localhost', '127.0.0.1'] });
  const signer = await TicketSigner.create(dir);
  const apiToken = randomBytes(24).toString('base64url');
  const apiTokenFile = join(dir, 'internal-api.token');
  await writeFile(apiTokenFile, apiToken, { mode: 0o600 });
  const audit = new MemoryAuditSink();
  const ca = options.internalCa;
  const internalTls =
    ca !== undefined
      ? {
          ...(await ca.issue('sfu', { dns: ['localhost'], ip: ['127.0.0.1'] })),
          clientCaFile: pkiPaths(ca.dir).rootCert,
          issuerFile: pkiPaths(ca.dir).intermediateCert,
        }
      : undefined;
  const internalClient =
    ca !== undefined ? { ...(await ca.issue('rooms')), trustFile: pkiPaths(ca.dir).rootCert } : undefined;
  const config = parseSfuConfig({
    ...overrides,
    signalling: {
      host: '127.0.0.1',
      port: 0,
      certFile: tls.certFile,
      keyFile: tls.keyFile,
      ...overrides.signalling,
    },
    internal: {
      host: '127.0.0.1',
      port: 0,
      apiTokenFile,
      ...(internalTls !== undefined ? { tls: internalTls } : {}),
    },
    tickets: { jwksFile: options.jwksFile ?? signer.jwksFile },
    media: { workers: 1, listenIp: '127.0.0.1', port: 0, ...overrides.media },
  });
  const server = await SfuServer.start(config, {
    mls: await createDeliveryServices(),
    ...(options.configuredAudit === true ? {} : { audit }),
    logger:
      options.logLines !== undefined
        ? createLogger('sfu-test', { level: 'debug', write: (line) => options.logLines!.push(line) })
        : createLogger('sfu-test', { level: 'error' }),
  });
  const caPem = readFileSync(tls.certFile, 'utf8');

  const connect = async () => {
    const socket = new WebSocket(server.signallingUrl, { ca: caPem });
    return SignallingClient.connect(socket as unknown as WebSocketLike);
  };
  return {
    server,
    signer,
    credentials: await MemberCredentialSigner.create(),
    audit,
    caPem,
    apiToken,
    dir,
    connect,
    async join(claims) {
      const client = await connect();
      const hello = await client.hello(await signer.sign(claims));
      return { client, hello };
    },
    ...(internalClient !== undefined ? { internalClient } : {}),
    async internal(method, path, body) {
      if (internalClient !== undefined)
        return mutualTlsCall(`${server.internalUrl}${path}`, method, {
          tls: mutualTlsClientOptions(internalClient),
          headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      const response = await fetch(`${server.internalUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: await response.json() };
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An HTTPS call with a client certificate (or none): status and body (parsed when JSON). */
export function mutualTlsCall(
  url: string,
  method: string,
  options: {
    tls: { cert?: Buffer; key?: Buffer; ca: Buffer | string };
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent: false, headers: options.headers ?? {}, ...options.tls },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body:
              res.headers['content-type']?.startsWith('application/json') === true ? JSON.parse(text) : text,
          }),
        );
      },
    );
    req.once('error', reject);
    req.end(options.body);
  });
}
