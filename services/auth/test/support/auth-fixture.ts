import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@conclave/protocol';
import { createLogger, ManualClock, MemoryAuditSink, type DatabaseConfig } from '@conclave/server-kit';
import { parseAuthConfig, AuthServer, type AuthConfigInput, type Directory } from '../../src/index';

export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  ms: number;
}

export interface AuthFixture {
  service: AuthServer;
  url: string;
  clock: ManualClock;
  audit: MemoryAuditSink;
  dir: string;
  request(
    method: string,
    path: string,
    options?: { json?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<HttpResult>;
  login(username: string, password: string, totp?: string): Promise<HttpResult>;
  addUser(
    username: string,
    password: string,
    roles?: Role[],
    options?: { mustChangePassword?: boolean },
  ): Promise<string>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  config?: Omit<AuthConfigInput, 'http' | 'internal' | 'dataDir'>;
  database?: DatabaseConfig;
  directory?: Directory;
  /** Public port (0: any); OIDC needs it known before start for the redirect URI. */
  httpPort?: number;
  /** `http.trustProxy`: the proxies whose X-Forwarded-For is believed. */
  trustProxy?: NonNullable<AuthConfigInput['http']>['trustProxy'];
  /** Start time of the manual clock (defaults to now, so other processes agree on token validity). */
  startAt?: number;
  /** HTTPS on the public API (`http.certFile`/`keyFile`); `request` then trusts `trust`. */
  tls?: { certFile: string; keyFile: string; trust: string };
  /** `internal.tls`: HTTPS (mutual TLS with `clientCaFile`) on the internal listener. */
  internalTls?: NonNullable<NonNullable<AuthConfigInput['internal']>['tls']>;
}

/** A password that meets the policy (CNIL 80 bits), distinct per tag and never containing it. */
export function strongPassword(tag = ''): string {
  return `Correct-Horse-${[...tag].map((c) => c.charCodeAt(0)).join('')}-Battery-9!`;
}

/** The service on loopback with a temporary data directory, a manual clock and an in-memory audit sink. */
export async function startAuthFixture(options: FixtureOptions = {}): Promise<AuthFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-auth-'));
  const clock = new ManualClock(options.startAt ?? Date.now());
  const audit = new MemoryAuditSink();
  const config = parseAuthConfig({
    ...options.config,
    http: {
      host: '127.0.0.1',
      port: options.httpPort ?? 0,
      ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
      ...(options.tls !== undefined ? { certFile: options.tls.certFile, keyFile: options.tls.keyFile } : {}),
    },
    internal: {
      host: '127.0.0.1',
      port: 0,
      ...(options.internalTls !== undefined ? { tls: options.internalTls } : {}),
    },
    dataDir: dir,
    ...(options.database !== undefined ? { database: options.database } : {}),
  });
  const service = await AuthServer.start(config, {
    clock,
    audit,
    log: createLogger('auth-test', { level: 'error', write: () => undefined }),
    ...(options.directory !== undefined ? { directory: options.directory } : {}),
  });
  const request: AuthFixture['request'] = async (method, path, opts = {}) => {
    const started = performance.now();
    const init = {
      method,
      headers: {
        ...(opts.json !== undefined || opts.raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      ...(opts.json !== undefined
        ? { body: JSON.stringify(opts.json) }
        : opts.raw !== undefined
          ? { body: opts.raw }
          : {}),
    };
    const response =
      options.tls !== undefined
        ? await httpsFetch(service.url + path, init, options.tls.trust)
        : await fetch(service.url + path, init);
    const text = await response.text();
    const ms = performance.now() - started;
    return {
      status: response.status,
      body: text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: response.headers,
      ms,
    };
  };
  return {
    service,
    url: service.url,
    clock,
    audit,
    dir,
    request,
    login: (username, password, totp) =>
      request('POST', '/api/auth/login', {
        json: { username, password, ...(totp !== undefined ? { totp } : {}) },
      }),
    async addUser(username, password, roles = ['member'], opts = {}) {
      const user = await service.core.accounts.addLocalUser(username, password, roles, {
        actor: 'test',
        ...opts,
      });
      return user.id;
    },
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function cookiesOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of headers.getSetCookie()) {
    const [pair] = line.split(';');
    const index = pair!.indexOf('=');
    out[pair!.slice(0, index)] = decodeURIComponent(pair!.slice(index + 1));
  }
  return out;
}

/** `fetch` over HTTPS trusting `ca` (Node's fetch takes no CA): enough of a Response for the fixture. */
function httpsFetch(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  ca: string,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: init.method, headers: init.headers, ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          for (const item of Array.isArray(value) ? value : value !== undefined ? [value] : [])
            headers.append(name, item);
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers }));
      });
    });
    req.once('error', reject);
    req.end(init.body);
  });
}
