import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import {
  createLogger,
  createNestApp,
  LogAuditSink,
  registerCertificateExpiry,
  startMetricsServer,
  type AuditSink,
  type Clock,
  type Logger,
} from '@conclave/server-kit';
import { openAuthCore, type AuthCore } from './auth-core';
import type { AuthConfig } from './config';
import { AuthHttpModule } from './http/auth-http.module';
import { probeRoutes } from './http/probes';
import { buildOpenApiDocument, OPENAPI_PATH } from './http/openapi';
import type { Directory } from './ldap/directory';
import { AuthMetrics } from './metrics';

export interface AuthServiceDeps {
  log?: Logger;
  /** Where security events go; the structured log until the tamper-evident store is wired. */
  audit?: AuditSink;
  clock?: Clock;
  directory?: Directory;
}

export interface RunningAuthService {
  /** Base URL of the public API, e.g. `http://127.0.0.1:8081`. */
  url: string;
  /** Base URL of the internal listener (`/metrics`, `/healthz`, `/readyz`). */
  internalUrl: string;
  core: AuthCore;
  close(): Promise<void>;
}

/** Starts the service: database (migrations), keys, the public API and the internal metrics listener. */
export async function startAuthService(
  config: AuthConfig,
  deps: AuthServiceDeps = {},
): Promise<RunningAuthService> {
  const log = deps.log ?? createLogger('auth', { level: config.log.level });
  const audit = deps.audit ?? new LogAuditSink((line) => log.info('audit', line));
  const metrics = new AuthMetrics();
  const caFile = config.ldap?.caFile;
  registerCertificateExpiry(
    metrics.registry,
    'conclave_auth',
    caFile !== undefined ? [{ certificate: 'ldap-ca', file: caFile }] : [],
  );
  const core = await openAuthCore(config, {
    audit,
    log,
    metrics,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.directory ? { directory: deps.directory } : {}),
  });
  try {
    // Makes (or loads) the signing key now, so the JWKS is never empty once the service answers.
    await core.keys.current();
    const app = await createNestApp(AuthHttpModule.over(core), log, {
      bodyLimit: config.http.bodyLimit,
      trustProxy: config.http.trustProxy,
    });
    app.use(cookieParser());
    // The SAML HTTP-POST binding posts a form; only that route takes one.
    app.use('/api/auth/saml/acs', express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 5 }));
    const document = buildOpenApiDocument(app);
    (app.getHttpAdapter().getInstance() as Express).get(OPENAPI_PATH, (_req, res) => res.json(document));
    await app.listen(config.http.port, config.http.host);
    const internal = await startMetricsServer(metrics.registry, config.internal, probeRoutes(core));
    const server = app.getHttpServer() as Server;
    const { port } = server.address() as AddressInfo;
    log.info('auth service started', { port, internalPort: internal.port });
    const purge = () =>
      core.retention.purge().catch((error: unknown) => log.error('retention purge failed', { error }));
    const purgeTimer = setInterval(purge, config.retention.purgeIntervalMinutes * 60_000);
    purgeTimer.unref();
    return {
      url: `http://${hostForUrl(config.http.host)}:${port}`,
      internalUrl: `http://${hostForUrl(config.internal.host)}:${internal.port}`,
      core,
      async close() {
        clearInterval(purgeTimer);
        await internal.close();
        await app.close();
        await core.close();
      },
    };
  } catch (error) {
    await core.close();
    throw error;
  }
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
