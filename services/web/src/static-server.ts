import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface WebServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the bundled meeting client over HTTPS with a strict Content-Security-Policy: scripts and workers only
 * from this origin, media connections only to the configured signalling origins, nothing inline, no framing.
 */
export async function startWebServer(options: {
  root: string;
  host: string;
  port: number;
  cert: Buffer;
  key: Buffer;
  /** Origins the page may open WebSockets to (the SFU's signalling, later the APIs). */
  connectOrigins: string[];
}): Promise<WebServer> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob: mediastream:",
    `connect-src 'self' ${options.connectOrigins.join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const server: Server = createServer(
    { cert: options.cert, key: options.key, minVersion: 'TLSv1.2' },
    (req, res) => {
      const path = (req.url ?? '/').split(/[?#]/)[0]!;
      const file = normalize(path === '/' ? '/index.html' : path);
      if (req.method !== 'GET' || file.includes('..') || !TYPES[extname(file)]) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      readFile(join(options.root, file)).then(
        (body) =>
          res
            .writeHead(200, {
              'content-type': TYPES[extname(file)]!,
              'content-security-policy': csp,
              'strict-transport-security': 'max-age=31536000',
              'x-content-type-options': 'nosniff',
              'referrer-policy': 'no-referrer',
              'cross-origin-opener-policy': 'same-origin',
              'permissions-policy':
                'camera=(self), microphone=(self), display-capture=(self), geolocation=()',
              'cache-control': 'no-store',
            })
            .end(body),
        () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
      );
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `https://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
