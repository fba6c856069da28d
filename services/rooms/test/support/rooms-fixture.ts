import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { SfuInternalCall, SfuPowerReply } from '@conclave/protocol';
import { createLogger, UnavailableError, type Clock, type DatabaseConfig } from '@conclave/server-kit';
import { parseRoomsConfig, RoomsServer, type RoomsConfigInput, type SfuControl } from '../../src';

/** Signs access tokens the way the authentication service does (EdDSA, `conclave-auth` → `conclave`). */
export class TokenMinter {
  private constructor(
    private readonly key: CryptoKey,
    readonly jwksFile: string,
    private readonly kid: string,
  ) {}

  static async create(dir: string): Promise<TokenMinter> {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const kid = randomUUID();
    const jwksFile = join(dir, 'auth.jwks.json');
    await writeFile(
      jwksFile,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] }),
    );
    return new TokenMinter(privateKey, jwksFile, kid);
  }

  async token(
    user: string,
    options: { roles?: string[]; groups?: string[]; name?: string; lifetime?: number; issuer?: string } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      name: options.name ?? user,
      roles: options.roles ?? ['member'],
      amr: ['pwd'],
      sid: 's1',
      ...(options.groups ? { groups: options.groups } : {}),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.kid })
      .setIssuer(options.issuer ?? 'conclave-auth')
      .setAudience('conclave')
      .setSubject(user)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + (options.lifetime ?? 300))
      .sign(this.key);
  }
}

/** An SFU stand-in that records what it was asked (for tests of the REST surface alone). */
export class RecordingSfu implements SfuControl {
  /** Each call as `{ op, meetingId, participantId?, ...body }`. */
  readonly calls: ({ op: SfuInternalCall['kind']; meetingId: string; participantId?: string } & Record<
    string,
    unknown
  >)[] = [];
  failing = false;

  async apply(call: SfuInternalCall): Promise<SfuPowerReply> {
    if (this.failing) throw new UnavailableError('media_unavailable', 'the media server did not answer');
    this.calls.push({
      op: call.kind,
      meetingId: call.meetingId,
      ...('participantId' in call ? { participantId: call.participantId } : {}),
      ...call.body,
    });
    return { ok: true, live: false };
  }
}

export interface RoomsFixture {
  server: RoomsServer;
  url: string;
  tokens: TokenMinter;
  dir: string;
  /** Calls the REST API; `token` is an access token or a user id to mint one for (as a member). */
  api(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export interface RoomsFixtureOptions {
  database?: (dir: string) => Promise<DatabaseConfig> | DatabaseConfig;
  sfu?: SfuControl;
  /** Real SFU internal API instead of `sfu`. */
  sfuInternal?: {
    url: string;
    token: string;
    timeoutMs?: number;
    /** Mutual TLS: room control's client certificate and the root the SFU's chains to. */
    tls?: { certFile: string; keyFile: string; trustFile: string };
  };
  clock?: Clock;
  config?: Partial<RoomsConfigInput>;
}

/** A real rooms service on loopback (port 0), its own data directory, auth keys and SFU wiring. */
export async function startRooms(options: RoomsFixtureOptions = {}): Promise<RoomsFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-rooms-'));
  const tokens = await TokenMinter.create(dir);
  const apiTokenFile = join(dir, 'sfu-api.token');
  await writeFile(apiTokenFile, options.sfuInternal?.token ?? 'unused-in-this-test', { mode: 0o600 });
  const config = parseRoomsConfig(
    {
      http: { host: '127.0.0.1', port: 0 },
      internal: { host: '127.0.0.1', port: 0 },
      dataDir: dir,
      ...(options.database ? { database: await options.database(dir) } : {}),
      auth: { jwksFile: tokens.jwksFile },
      sfu: {
        internalUrl: options.sfuInternal?.url ?? 'http://127.0.0.1:9',
        apiTokenFile,
        ...(options.sfuInternal?.timeoutMs !== undefined ? { timeoutMs: options.sfuInternal.timeoutMs } : {}),
        ...(options.sfuInternal?.tls !== undefined ? { tls: options.sfuInternal.tls } : {}),
      },
      audit: { checkpointEvery: 10, checkpointIntervalSeconds: 0 },
      tickets: { jwksOutFile: join(dir, 'tickets.jwks.json') },
      ...options.config,
    },
    dir,
  );
  const server = await RoomsServer.start(config, {
    logger: createLogger('rooms-test', { level: 'error' }),
    ...(options.sfu ? { sfu: options.sfu } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    server,
    url: server.url,
    tokens,
    dir,
    async api(method, path, token, body) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined };
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
