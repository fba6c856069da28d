import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import {
  createLogger,
  createNestApp,
  LogAuditSink,
  registerCertificateExpiry,
  ReloadableTls,
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

/** The auth service, built in one place like the other services (`XServer.start(config, deps)`). */
export class AuthServer {
  private constructor(
    /** Base URL of the public API, e.g. `https://127.0.0.1:8081` (`http` without `http.certFile`). */
    readonly url: string,
    /** Base URL of the internal listener (`/metrics`, `/healthz`, `/readyz`). */
    readonly internalUrl: string,
    readonly core: AuthCore,
    private readonly stop: () => Promise<void>,
  ) {}

  /** Starts the service: database (migrations), keys, the public API and the internal metrics listener. */
  static async start(config: AuthConfig, deps: AuthServiceDeps = {}): Promise<AuthServer> {
    const log = deps.log ?? createLogger('auth', { level: config.log.level });
    const audit = deps.audit ?? new LogAuditSink((line) => log.info('audit', line));
    const metrics = new AuthMetrics();
    const caFile = config.ldap?.caFile;
    registerCertificateExpiry(metrics.registry, 'conclave_auth', [
      ...(caFile !== undefined ? [{ certificate: 'ldap-ca', file: caFile }] : []),
      ...(config.http.certFile !== undefined ? [{ certificate: 'api', file: config.http.certFile }] : []),
      ...(config.internal.tls !== undefined
        ? [{ certificate: 'internal', file: config.internal.tls.certFile }]
        : []),
    ]);
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
      app.use(
        '/api/auth/saml/acs',
        express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 5 }),
      );
      const document = buildOpenApiDocument(app);
      (app.getHttpAdapter().getInstance() as Express).get(OPENAPI_PATH, (_req, res) => res.json(document));
      // The Conclave TLS profile, reloaded from disk on rotation (docs/security/tls.md).
      const tls =
        config.http.certFile !== undefined
          ? new ReloadableTls({ certFile: config.http.certFile, keyFile: config.http.keyFile! }, { log })
          : undefined;
      let https: HttpsServer | undefined;
      if (tls === undefined) await app.listen(config.http.port, config.http.host);
      else {
        await app.init();
        https = createHttpsServer(tls.secureContextOptions, app.getHttpAdapter().getInstance() as Express);
        tls.attach(https);
        https.keepAliveTimeout = 5000;
        https.headersTimeout = 10_000;
        https.requestTimeout = 30_000;
        await new Promise<void>((resolve, reject) => {
          https!.once('error', reject);
          https!.listen(config.http.port, config.http.host, () => resolve());
        });
      }
      const internalTls = config.internal.tls;
      const internal = await startMetricsServer(
        metrics.registry,
        config.internal,
        probeRoutes(core),
        internalTls !== undefined ? new ReloadableTls(internalTls, { log }) : undefined,
      );
      const server = https ?? (app.getHttpServer() as Server);
      const { port } = server.address() as AddressInfo;
      log.info('auth service started', { port, internalPort: internal.port });
      const purge = () =>
        core.retention.purge().catch((error: unknown) => log.error('retention purge failed', { error }));
      const purgeTimer = setInterval(purge, config.retention.purgeIntervalMinutes * 60_000);
      purgeTimer.unref();
      return new AuthServer(
        `${tls !== undefined ? 'https' : 'http'}://${hostForUrl(config.http.host)}:${port}`,
        `${internalTls !== undefined ? 'https' : 'http'}://${hostForUrl(config.internal.host)}:${internal.port}`,
        core,
        async () => {
          clearInterval(purgeTimer);
          await internal.close();
          if (https !== undefined) {
            https.closeAllConnections();
            await new Promise<void>((resolve) => https!.close(() => resolve()));
          }
          await app.close();
          await core.close();
        },
      );
    } catch (error) {
      await core.close();
      throw error;
    }
  }

  close(): Promise<void> {
    return this.stop();
  }
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
