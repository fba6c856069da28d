import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { UnavailableError, type Clock, type Logger } from '@conclave/server-kit';

/** A JWKS larger than this is refused (the auth service publishes a handful of keys). */
const MAX_JWKS_BYTES = 64 * 1024;
const MAX_KEYS = 32;

const jwksSchema = z.object({
  keys: z.array(z.looseObject({ kty: z.string().min(1), kid: z.string().min(1).max(256) })).max(MAX_KEYS),
});

export interface AuthKeySetOptions {
  /** The auth service's JWKS over HTTP(S), e.g. http://auth:8081/api/auth/.well-known/jwks.json. */
  jwksUrl?: string;
  /** Or a JWKS file (re-read on every refresh). */
  jwksFile?: string;
  /** PEM certificate(s) an https `jwksUrl` is verified against (the appliance root) instead of the system store. */
  jwksTrust?: Buffer;
  /** Keys older than this are fetched again before the next verification: removals take effect within it. */
  refreshSeconds: number;
  /** A token naming an unknown key triggers a fetch at most this often (forged `kid`s cannot flood auth). */
  unknownKidCooldownSeconds: number;
  /** Without a successful fetch for this long, tokens are refused (503) rather than checked against old keys. */
  maxStaleSeconds: number;
  timeoutMs: number;
}

/**
 * The authentication service's public keys, fetched and cached: fetched again when older than
 * `refreshSeconds` (a key removed at auth stops being trusted) and when a token names an unknown key (a
 * rotated key is picked up at once), never more often than the cool-down for unknown keys.
 */
export class AuthKeySet {
  private keys: ReturnType<typeof createLocalJWKSet> | undefined;
  private kids = new Set<string>();
  private fetchedAtMs = -Infinity;
  private attemptedAtMs = -Infinity;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly options: AuthKeySetOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Whether `kid` is among the keys as last fetched (after `fresh()`). */
  has(kid: string | undefined): boolean {
    return kid !== undefined && this.kids.has(kid);
  }

  /** Fetches again when the keys are older than `refreshSeconds`; refuses when they are too old to trust. */
  async fresh(): Promise<void> {
    const now = this.clock.now();
    // While auth is unreachable, one attempt per cool-down (not one per request, each waiting for the timeout).
    if (
      now - this.fetchedAtMs >= this.options.refreshSeconds * 1000 &&
      now - this.attemptedAtMs >= this.options.unknownKidCooldownSeconds * 1000
    )
      await this.refresh().catch(() => undefined);
    if (this.clock.now() - this.fetchedAtMs >= this.options.maxStaleSeconds * 1000)
      throw new UnavailableError(
        'service_unavailable',
        "the authentication service's keys cannot be fetched; try again later",
      );
  }

  /** The key for a token (jose key resolver); an unknown `kid` triggers one fetch, within the cool-down. */
  readonly resolver: JWTVerifyGetKey = async (header, token) => {
    if (
      !this.has(header.kid) &&
      this.clock.now() - this.attemptedAtMs >= this.options.unknownKidCooldownSeconds * 1000
    )
      await this.refresh().catch(() => undefined);
    if (this.keys === undefined) throw new Error('no authentication keys yet');
    return this.keys(header, token);
  };

  /** Fetches the keys now (one fetch at a time); on failure the last good keys stay until they are too old. */
  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(): Promise<void> {
    this.attemptedAtMs = this.clock.now();
    let text: string;
    try {
      text = await this.read();
    } catch (error) {
      this.log.error('authentication keys could not be fetched', { error: error as Error });
      throw error;
    }
    const parsed = text.length <= MAX_JWKS_BYTES ? jwksSchema.safeParse(safeJson(text)) : undefined;
    if (parsed === undefined || !parsed.success) {
      this.log.error('authentication keys refused: not a JWKS');
      throw new Error('not a JWKS');
    }
    const set = parsed.data as JSONWebKeySet;
    const removed = [...this.kids].filter((kid) => !parsed.data.keys.some((k) => k.kid === kid));
    if (removed.length > 0) this.log.info('authentication keys removed', { kids: removed.join(',') });
    this.keys = createLocalJWKSet(set);
    this.kids = new Set(parsed.data.keys.map((k) => k.kid));
    this.fetchedAtMs = this.clock.now();
  }

  private async read(): Promise<string> {
    if (this.options.jwksFile !== undefined) return readFile(this.options.jwksFile, 'utf8');
    if (this.options.jwksTrust !== undefined)
      return fetchTrusting(this.options.jwksUrl!, this.options.jwksTrust, this.options.timeoutMs);
    const response = await fetch(this.options.jwksUrl!, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (response.status !== 200) throw new Error(`JWKS answer ${response.status}`);
    return response.text();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** GET over HTTPS verified against `ca` (no redirect followed, at most MAX_JWKS_BYTES read): the 200 body. */
function fetchTrusting(url: string, ca: Buffer, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca, agent: false, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`JWKS answer ${res.statusCode}`));
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > MAX_JWKS_BYTES) req.destroy(new Error('JWKS too large'));
        });
        res.once('end', () => resolve(body));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end();
  });
}
