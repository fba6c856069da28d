import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { ReloadableTls, type ReloadableTlsOptions, type TlsFiles } from '@conclave/server-kit';
import { forward, forwardUpgrade } from './reverse-proxy';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Path prefixes the web server forwards to a service (one origin for the browser: no CORS, `__Host-` cookies). */
export const PROXIED_PREFIXES = { auth: '/api/auth', rooms: '/api/rooms' } as const;
/** Where the old single-page test client is served when the meeting client takes `/`. */
export const TEST_PAGE_PATH = '/test/';
/** The SFU signalling WebSocket, when forwarded (`proxy.signalling`). */
export const SIGNALLING_PATH = '/signalling';

export interface WebServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The headers every response carries, static or proxied: a strict Content-Security-Policy (scripts, styles and
 * workers from this origin only, nothing inline, no eval, connections to this origin and the signalling
 * origins), no framing, HSTS, no referrer, camera/microphone/display capture for this origin only.
 */
export function securityHeaders(connectOrigins: readonly string[]): OutgoingHttpHeaders {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob: mediastream:",
    `connect-src 'self' ${connectOrigins.join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'strict-transport-security': 'max-age=31536000',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=()',
  };
}

/**
 * Serves the bundled clients over HTTPS with strict headers on every response. With `appRoot`, the meeting
 * client (`services/web/app`, built ahead of time) answers `/` and the test page moves to `/test/`; with `proxy`,
 * `/api/auth/…` and `/api/rooms/…` are forwarded to those services.
 */
export async function startWebServer(options: {
  /** The test page bundle (`bundleWebClient`). */
  root: string;
  /** The meeting client's build (`buildMeetingApp`), served at `/` when given. */
  appRoot?: string;
  host: string;
  port: number;
  /** Certificate chain and key, under the Conclave TLS profile and reloaded on rotation. */
  tls: TlsFiles & ReloadableTlsOptions;
  /** Origins the page may open WebSockets to (the SFU's signalling). */
  connectOrigins: string[];
  /** Services reached through this origin: each an http(s) origin. */
  proxy?: {
    auth?: string;
    rooms?: string;
    /** https origin of the SFU's signalling listener; `/signalling` WebSocket upgrades are forwarded there. */
    signalling?: string;
    /** Certificate(s) the SFU's listener is trusted with, when not a public CA's (the embedded self-signed one). */
    signallingCa?: Buffer;
    /** Certificate(s) every https upstream is trusted with (the appliance root); `signallingCa` wins for the SFU. */
    ca?: Buffer;
  };
}): Promise<WebServer> {
  const headers = securityHeaders(options.connectOrigins);
  const upstreams = (Object.keys(PROXIED_PREFIXES) as (keyof typeof PROXIED_PREFIXES)[]).flatMap((name) => {
    const origin = options.proxy?.[name];
    return origin === undefined ? [] : [{ prefix: PROXIED_PREFIXES[name], upstream: new URL(origin) }];
  });
  const notFound = (res: import('node:http').ServerResponse) =>
    res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('not found');

  /** Which file answers a path: the app first, then the test page bundle (its assets keep their old paths). */
  function candidates(path: string): string[] {
    if (options.appRoot === undefined) return [join(options.root, path === '/' ? '/index.html' : path)];
    if (path === '/' || path === '/index.html') return [join(options.appRoot, 'index.html')];
    if (path === TEST_PAGE_PATH) return [join(options.root, 'index.html')];
    return [join(options.appRoot, path), join(options.root, path)];
  }

  const tls = new ReloadableTls(options.tls, options.tls);
  const server: Server = createServer(
    // One profile for every listener (docs/security/tls.md).
    tls.secureContextOptions,
    (req, res) => {
      const path = (req.url ?? '/').split(/[?#]/)[0]!;
      const proxied = upstreams.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));
      if (proxied !== undefined) {
        forward(req, res, proxied.upstream, headers, options.proxy?.ca);
        return;
      }
      const file = normalize(path);
      if (
        (req.method !== 'GET' && req.method !== 'HEAD') ||
        file.includes('..') ||
        (!TYPES[extname(file)] && file !== '/' && file !== TEST_PAGE_PATH)
      ) {
        notFound(res);
        return;
      }
      const tryFiles = async () => {
        for (const candidate of candidates(file)) {
          const body = await readFile(candidate).catch(() => undefined);
          if (body !== undefined) return { body, type: TYPES[extname(candidate)]! };
        }
        return undefined;
      };
      void tryFiles().then((found) => {
        if (found === undefined) return notFound(res);
        res
          .writeHead(200, { ...headers, 'content-type': found.type, 'cache-control': 'no-store' })
          .end(req.method === 'HEAD' ? undefined : found.body);
      });
    },
  );
  const signalling = options.proxy?.signalling !== undefined ? new URL(options.proxy.signalling) : undefined;
  server.on('upgrade', (req, socket, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (signalling === undefined || path !== SIGNALLING_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    forwardUpgrade(req, socket, head, signalling, options.proxy?.signallingCa ?? options.proxy?.ca);
  });
  tls.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `https://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
