import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ReloadableTls } from './tls/reloadable-tls';

/**
 * A Prometheus registry for one service, with Node's default process metrics (CPU, memory, event-loop lag,
 * GC) under the service's prefix, e.g. `conclave_sfu_process_cpu_seconds_total`.
 */
export function createMetricsRegistry(prefix: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${prefix}_`, eventLoopMonitoringPrecision: 20 });
  return registry;
}

export interface InternalHttpServer {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` on an internal address (separate from the public one, so the network policy can keep it
 * away from clients). Other internal routes may be added by passing `extraRoutes`. With `tls`, the listener
 * serves HTTPS under the Conclave profile, and requires a client certificate when `tls` names a client CA
 * (mutual TLS, docs/security/tls.md).
 */
export async function startMetricsServer(
  registry: Registry,
  listen: { host: string; port: number },
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean,
  tls?: ReloadableTls,
): Promise<InternalHttpServer> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (extraRoutes?.(req, res)) return;
    if (req.method === 'GET' && req.url === '/metrics') {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        })
        .catch(() => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end('{"code":"metrics_unavailable"}');
        });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"code":"not_found"}');
  };
  const server: Server =
    tls !== undefined ? createHttpsServer(tls.secureContextOptions, handler) : createServer(handler);
  if (tls !== undefined) tls.attach(server as import('node:https').Server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
