import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { ROOMS_API_PREFIX } from '@conclave/protocol';
import {
  createLogger,
  createNestApp,
  openDataSource,
  ReloadableTls,
  startMetricsServer,
  systemClock,
  type Clock,
  type InternalHttpServer,
  type Logger,
} from '@conclave/server-kit';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditStore, CheckpointKey } from './audit-lib';
import { ROOMS_MIGRATIONS } from '../migrations';
import { RoomsModule } from './app.module';
import { RateLimits } from './http/rate-limit';
import { AccessTokenVerifier } from './auth/access-token-verifier';
import { AuthKeySet } from './auth/auth-key-set';
import type { ResolvedRoomsConfig } from './config';
import { createMeetingServices, type MeetingServices } from './meetings';
import { RoomsMetrics } from './metrics';
import { registerAuditMetrics } from './audit-metrics';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { ROOMS_ENTITIES } from './persistence/entities';
import { RetentionJob } from './retention/retention-job';
import { TurnCredentials } from './turn/turn-credentials';
import { HttpSfuControl, type SfuControl } from './sfu/sfu-control';
import { MemberCredentialIssuer, MemberCredentials } from './identity';
import { TicketIssuer } from './tickets/ticket-issuer';
import { StreamSettings } from './streams/stream-settings';

export interface RoomsServerDeps {
  clock?: Clock;
  /** Replaces the SFU's HTTP internal API (tests of the REST surface alone). */
  sfu?: SfuControl;
  logger?: Logger;
}

/** Opens the database the rooms service and its audit trail share, running both sets of migrations. */
export function openRoomsDatabase(config: ResolvedRoomsConfig): Promise<DataSource> {
  return openDataSource(
    config.database,
    [...ROOMS_ENTITIES, ...AUDIT_ENTITIES],
    [...AUDIT_MIGRATIONS, ...ROOMS_MIGRATIONS],
  );
}

/** The audit store as the service configures it (also used by the CLI to verify and export). */
export function createAuditStore(
  dataSource: DataSource,
  config: ResolvedRoomsConfig,
  clock: Clock = systemClock,
): AuditStore {
  return new AuditStore(dataSource, {
    key: CheckpointKey.loadOrCreate(config.audit.keyFile),
    clock,
    checkpointEvery: config.audit.checkpointEvery,
    checkpointIntervalMs: config.audit.checkpointIntervalSeconds * 1000,
    recordSourceIp: config.audit.recordSourceIp,
  });
}

/** The records, audit trail, keys and meeting logic of the service, built in one place. */
export interface RoomsCore {
  dataSource: DataSource;
  audit: AuditStore;
  tickets: TicketIssuer;
  metrics: RoomsMetrics;
  meetings: MeetingServices;
}

/** Opens the database and builds everything above it; on failure the database is closed again. */
export async function openRoomsCore(
  config: ResolvedRoomsConfig,
  deps: { clock: Clock; log: Logger; sfu?: SfuControl },
): Promise<RoomsCore> {
  const dataSource = await openRoomsDatabase(config);
  try {
    const audit = createAuditStore(dataSource, config, deps.clock);
    const tickets = TicketIssuer.loadOrCreate(
      config.tickets.keyFile,
      config.tickets.lifetimeSeconds,
      deps.clock,
    );
    const metrics = new RoomsMetrics(dataSource);
    registerAuditMetrics(metrics.registry, dataSource, audit, deps.clock);
    const meetings = createMeetingServices({
      dataSource,
      audit,
      sfu: deps.sfu ?? new HttpSfuControl(config.sfu, deps.log.child({ component: 'sfu-control' })),
      tickets,
      metrics,
      clock: deps.clock,
      instantDurationMinutes: config.meetings.instantDurationMinutes,
      denialWindowMs: config.rateLimit.denialWindowSeconds * 1000,
      ...(config.sfu.signallingUrl !== undefined ? { signallingUrl: config.sfu.signallingUrl } : {}),
      ...(config.turn !== undefined ? { turn: TurnCredentials.load(config.turn) } : {}),
      streamLimits: { perUser: config.streams.perUser, total: config.streams.total },
      lobbyGiveUpAfterSeconds: config.lobby.giveUpAfterSeconds,
    });
    metrics.watchStreams(() => meetings.streams.size);
    return { dataSource, audit, tickets, metrics, meetings };
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    throw error;
  }
}

/** What the operator CLI needs, without the HTTP listeners: records, the audit trail and the meeting logic. */
export interface RoomsAdminContext {
  dataSource: DataSource;
  audit: AuditStore;
  meetings: MeetingServices;
  close(): Promise<void>;
}

/** Opens the service's database, audit trail and SFU link for administrative commands. */
export async function openRoomsAdmin(
  config: ResolvedRoomsConfig,
  log: Logger = createLogger('rooms-admin', { level: 'error' }),
): Promise<RoomsAdminContext> {
  const { dataSource, audit, meetings } = await openRoomsCore(config, { clock: systemClock, log });
  return { dataSource, audit, meetings, close: () => dataSource.destroy() };
}

interface RoomsServerParts extends RoomsCore {
  app: NestExpressApplication;
  http: Server;
  internal: InternalHttpServer;
  retention: RetentionJob;
  url: string;
}

/** The room-control service: REST API, audit trail, retention job, metrics. */
export class RoomsServer {
  readonly app: NestExpressApplication;
  readonly dataSource: DataSource;
  readonly audit: AuditStore;
  readonly meetings: MeetingServices;
  readonly retention: RetentionJob;
  readonly metrics: RoomsMetrics;
  readonly tickets: TicketIssuer;
  readonly url: string;
  private readonly http: Server;
  private readonly internal: InternalHttpServer;
  private readonly internalTls: boolean;

  private constructor(parts: RoomsServerParts) {
    this.internalTls = parts.internal.server instanceof HttpsServer;
    this.app = parts.app;
    this.http = parts.http;
    this.internal = parts.internal;
    this.dataSource = parts.dataSource;
    this.audit = parts.audit;
    this.meetings = parts.meetings;
    this.retention = parts.retention;
    this.metrics = parts.metrics;
    this.tickets = parts.tickets;
    this.url = parts.url;
  }

  static async start(config: ResolvedRoomsConfig, deps: RoomsServerDeps = {}): Promise<RoomsServer> {
    const log = deps.logger ?? createLogger('rooms', { level: config.log.level });
    const clock = deps.clock ?? systemClock;
    const core = await openRoomsCore(config, { clock, log, ...(deps.sfu ? { sfu: deps.sfu } : {}) });
    const { dataSource, audit, tickets, metrics, meetings } = core;
    try {
      if (config.tickets.jwksOutFile !== undefined) tickets.writeJwks(config.tickets.jwksOutFile);
      const keys = new AuthKeySet(
        {
          ...(config.auth.jwksUrl !== undefined ? { jwksUrl: config.auth.jwksUrl } : {}),
          ...(config.auth.jwksFile !== undefined ? { jwksFile: config.auth.jwksFile } : {}),
          ...(config.auth.jwksTrustFile !== undefined
            ? { jwksTrust: readFileSync(config.auth.jwksTrustFile) }
            : {}),
          refreshSeconds: config.auth.jwksRefreshSeconds,
          unknownKidCooldownSeconds: config.auth.jwksUnknownKidCooldownSeconds,
          maxStaleSeconds: config.auth.jwksMaxStaleSeconds,
          timeoutMs: config.auth.jwksTimeoutMs,
        },
        clock,
        log.child({ component: 'auth-keys' }),
      );
      // A missing file is a configuration error; an auth service not up yet is not (requests wait for it: 503).
      if (config.auth.jwksFile !== undefined) await keys.refresh();
      else await keys.refresh().catch(() => undefined);
      const verifier = new AccessTokenVerifier(config.auth, keys);
      const credentialIssuer = MemberCredentialIssuer.loadOrCreate(config.memberCredentials.keyFile, clock);
      const memberCredentials = new MemberCredentials({ store: meetings.store, issuer: credentialIssuer });
      const module = RoomsModule.register({
        ...meetings,
        verifier,
        tickets,
        credentialIssuer,
        memberCredentials,
        limits: new RateLimits(config.rateLimit, clock, metrics),
        streamSettings: new StreamSettings(config.streams.heartbeatSeconds),
      });
      const app = await createNestApp(module, log, {
        bodyLimit: config.http.bodyLimit,
        trustProxy: config.http.trustProxy,
      });
      app.setGlobalPrefix(ROOMS_API_PREFIX.slice(1));
      const document = buildOpenApiDocument(app);
      (app.getHttpAdapter().getInstance() as Express).get(
        `${ROOMS_API_PREFIX}/openapi.json`,
        (_req: Request, res: Response) => {
          res.json(document);
        },
      );
      await app.init();
      const handler = app.getHttpAdapter().getInstance();
      // The Conclave TLS profile, reloaded from disk on rotation (docs/security/tls.md).
      const tls =
        config.http.certFile !== undefined
          ? new ReloadableTls({ certFile: config.http.certFile, keyFile: config.http.keyFile! }, { log })
          : undefined;
      const http =
        tls !== undefined ? createHttpsServer(tls.secureContextOptions, handler) : createHttpServer(handler);
      if (tls !== undefined) tls.attach(http as HttpsServer);
      http.keepAliveTimeout = 5000;
      http.headersTimeout = 10_000;
      http.requestTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.http.port, config.http.host, () => resolve());
      });
      const internal = await startMetricsServer(
        metrics.registry,
        config.internal,
        undefined,
        config.internal.tls !== undefined ? new ReloadableTls(config.internal.tls, { log }) : undefined,
      );
      const retention = new RetentionJob(
        dataSource,
        audit,
        clock,
        config.retention,
        log.child({ component: 'retention' }),
      );
      audit.start();
      meetings.store.denials.start();
      retention.start(config.retention.purgeIntervalMinutes * 60_000);
      meetings.lobbyTimeouts.start();
      const { port } = http.address() as AddressInfo;
      const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
      const url = `${config.http.certFile !== undefined ? 'https' : 'http'}://${host}:${port}${ROOMS_API_PREFIX}`;
      await audit.record({ action: 'service.start', outcome: 'success', actor: 'rooms' });
      return new RoomsServer({ ...core, app, http, internal, retention, url });
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy();
      throw error;
    }
  }

  /** `http(s)://host:port` of the internal listener (`/metrics`). */
  get internalUrl(): string {
    return `${this.internalTls ? 'https' : 'http'}://127.0.0.1:${this.internal.port}`;
  }

  async close(): Promise<void> {
    this.retention.stop();
    this.meetings.lobbyTimeouts.stop();
    this.meetings.streams.closeAll();
    this.audit.stop();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.internal.close();
    await this.app.close();
    await this.meetings.store.denials.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
