import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { ROOMS_API_PREFIX } from '@conclave/protocol';
import {
  createLogger,
  createNestApp,
  openDataSource,
  startMetricsServer,
  systemClock,
  type Clock,
  type InternalHttpServer,
  type Logger,
} from '@conclave/server-kit';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditStore, CheckpointKey } from './audit-lib';
import { ROOMS_MIGRATIONS } from '../migrations';
import { RoomsModule } from './app.module';
import { AccessTokenVerifier } from './auth/access-token-verifier';
import type { ResolvedRoomsConfig } from './config';
import { MeetingsService } from './meetings/meetings.service';
import { ParticipantInbox } from './meetings/participant-inbox';
import { RoomsMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { ROOMS_ENTITIES } from './persistence/entities';
import { RetentionJob } from './retention/retention-job';
import { HttpSfuControl, type SfuControl } from './sfu/sfu-control';
import { TicketIssuer } from './tickets/ticket-issuer';

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

/** What the operator CLI needs, without the HTTP listeners: records, the audit trail and the meeting logic. */
export interface RoomsAdminContext {
  dataSource: DataSource;
  audit: AuditStore;
  meetings: MeetingsService;
  close(): Promise<void>;
}

/** Opens the service's database, audit trail and SFU link for administrative commands. */
export async function openRoomsAdmin(
  config: ResolvedRoomsConfig,
  log: Logger = createLogger('rooms-admin', { level: 'error' }),
): Promise<RoomsAdminContext> {
  const dataSource = await openRoomsDatabase(config);
  const audit = createAuditStore(dataSource, config);
  const meetings = new MeetingsService({
    dataSource,
    audit,
    sfu: new HttpSfuControl(config.sfu, log),
    tickets: TicketIssuer.loadOrCreate(config.tickets.keyFile, config.tickets.lifetimeSeconds, systemClock),
    inbox: new ParticipantInbox(),
    metrics: new RoomsMetrics(dataSource),
    clock: systemClock,
    instantDurationMinutes: config.meetings.instantDurationMinutes,
  });
  return { dataSource, audit, meetings, close: () => dataSource.destroy() };
}

/** The room-control service: REST API, audit trail, retention job, metrics. */
export class RoomsServer {
  private constructor(
    readonly app: NestExpressApplication,
    private readonly http: Server,
    private readonly internal: InternalHttpServer,
    readonly dataSource: DataSource,
    readonly audit: AuditStore,
    readonly meetings: MeetingsService,
    readonly retention: RetentionJob,
    readonly metrics: RoomsMetrics,
    readonly tickets: TicketIssuer,
    readonly url: string,
  ) {}

  static async start(config: ResolvedRoomsConfig, deps: RoomsServerDeps = {}): Promise<RoomsServer> {
    const log = deps.logger ?? createLogger('rooms', { level: config.log.level });
    const clock = deps.clock ?? systemClock;
    const dataSource = await openRoomsDatabase(config);
    try {
      const audit = createAuditStore(dataSource, config, clock);
      const tickets = TicketIssuer.loadOrCreate(
        config.tickets.keyFile,
        config.tickets.lifetimeSeconds,
        clock,
      );
      if (config.tickets.jwksOutFile !== undefined) tickets.writeJwks(config.tickets.jwksOutFile);
      const metrics = new RoomsMetrics(dataSource);
      const meetings = new MeetingsService({
        dataSource,
        audit,
        sfu: deps.sfu ?? new HttpSfuControl(config.sfu, log.child({ component: 'sfu-control' })),
        tickets,
        inbox: new ParticipantInbox(),
        metrics,
        clock,
        instantDurationMinutes: config.meetings.instantDurationMinutes,
        ...(config.sfu.signallingUrl !== undefined ? { signallingUrl: config.sfu.signallingUrl } : {}),
      });
      const verifier = new AccessTokenVerifier(config.auth);
      const app = await createNestApp(RoomsModule.register({ meetings, verifier, tickets }), log, {
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
      const http =
        config.http.certFile !== undefined
          ? createHttpsServer(
              {
                cert: readFileSync(config.http.certFile),
                key: readFileSync(config.http.keyFile!),
                minVersion: 'TLSv1.2',
              },
              handler,
            )
          : createHttpServer(handler);
      http.keepAliveTimeout = 5000;
      http.headersTimeout = 10_000;
      http.requestTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.http.port, config.http.host, () => resolve());
      });
      const internal = await startMetricsServer(metrics.registry, config.internal);
      const retention = new RetentionJob(
        dataSource,
        audit,
        clock,
        config.retention,
        log.child({ component: 'retention' }),
      );
      audit.start();
      retention.start(config.retention.purgeIntervalMinutes * 60_000);
      const { port } = http.address() as AddressInfo;
      const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
      const url = `${config.http.certFile !== undefined ? 'https' : 'http'}://${host}:${port}${ROOMS_API_PREFIX}`;
      await audit.record({ action: 'service.start', outcome: 'success', actor: 'rooms' });
      return new RoomsServer(
        app,
        http,
        internal,
        dataSource,
        audit,
        meetings,
        retention,
        metrics,
        tickets,
        url,
      );
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy();
      throw error;
    }
  }

  /** `http://host:port` of the internal listener (`/metrics`). */
  get internalUrl(): string {
    return `http://127.0.0.1:${this.internal.port}`;
  }

  async close(): Promise<void> {
    this.retention.stop();
    this.audit.stop();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.internal.close();
    await this.app.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
