import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import helmet from 'helmet';
import { WebSocketServer } from 'ws';
import { JOIN_TICKET_MAX_LIFETIME_SECONDS, SIGNALLING_CLOSE_CODES } from '@conclave/protocol';
import {
  createLogger,
  createMetricsRegistry,
  ReloadableTls,
  startMetricsServer,
  systemClock,
  type AuditSink,
  type Clock,
  type InternalHttpServer,
  type Logger,
  type ReloadableTlsOptions,
} from '@conclave/server-kit';
import { openSfuAudit, type SfuAudit } from './audit/sfu-audit';
import type { SfuConfig } from './config';
import type { DeliveryServices } from './e2ee/delivery-service';
import { E2eeRelay } from './e2ee/e2ee-relay';
import { InternalApi } from './internal-api/internal-api';
import { StatsPoller } from './media/stats-poller';
import { WorkerPool } from './media/worker-pool';
import { createSfuMetrics } from './metrics';
import { registerSfuCertificates } from './certificate-metrics';
import { PowersLedger } from './rooms/powers-ledger';
import { RoomRegistry } from './rooms/room-registry';
import { createDispatcher } from './signalling/handlers';
import { ChatLimiter } from './signalling/chat-limiter';
import { ConnectionLimiter } from './signalling/connection-limiter';
import { SignallingSession } from './signalling/session';
import { TicketVerifier } from './signalling/ticket-verifier';

/** Path of the signalling WebSocket on the public listener. */
export const SIGNALLING_PATH = '/signalling';

export interface SfuServerDeps {
  /** The MLS delivery services, one per suite: the SFU's external-sender identities (RFC 9420 §12.1.8.1). */
  mls: DeliveryServices;
  clock?: Clock;
  logger?: Logger;
  audit?: AuditSink;
  /** How the signalling listener watches its certificate files (tests shorten the interval). */
  tls?: ReloadableTlsOptions;
}

/** A running SFU: signalling (wss), internal listener (/metrics, internal API), and its mediasoup workers. */
export class SfuServer {
  private constructor(
    readonly signallingUrl: string,
    readonly internalUrl: string,
    readonly pool: WorkerPool,
    readonly rooms: RoomRegistry,
    private readonly https: HttpsServer,
    private readonly wss: WebSocketServer,
    private readonly internal: InternalHttpServer,
    private readonly poller: StatsPoller,
    private readonly audit: SfuAudit,
    private readonly log: Logger,
  ) {}

  static async start(config: SfuConfig, deps: SfuServerDeps): Promise<SfuServer> {
    const log = deps.logger ?? createLogger('sfu', { level: config.log.level });
    const clock = deps.clock ?? systemClock;
    const sfuAudit = await openSfuAudit(config.audit, {
      ...(deps.audit !== undefined ? { audit: deps.audit } : {}),
      log,
      clock,
    });
    const audit = sfuAudit.sink;
    const registry = createMetricsRegistry('conclave_sfu');
    const metrics = createSfuMetrics(registry);
    registerSfuCertificates(registry, config);

    const pool = await WorkerPool.start(
      {
        size: config.media.workers,
        listenIp: config.media.listenIp,
        ...(config.media.announcedAddress !== undefined
          ? { announcedAddress: config.media.announcedAddress }
          : {}),
        port: config.media.port,
        logLevel: config.media.workerLogLevel,
      },
      log,
    );
    metrics.workers.set(pool.workers.length);
    const rooms = new RoomRegistry(
      pool,
      {
        ...config.media,
        maxParticipants: config.rooms.maxParticipants,
        maxConsumersPerParticipant: config.rooms.maxConsumersPerParticipant,
      },
      metrics,
      log,
    );
    const e2ee = new E2eeRelay(deps.mls, config.e2ee, log);
    const tickets = new TicketVerifier({ ...config.tickets, clock });
    const ledger = new PowersLedger({
      clock,
      // A ticket issued before a change has expired, on either side's clock, once this has passed.
      retentionMs: (JOIN_TICKET_MAX_LIFETIME_SECONDS + 2 * config.tickets.clockToleranceSeconds + 60) * 1000,
      clockToleranceSeconds: config.tickets.clockToleranceSeconds,
    });
    const chat = new ChatLimiter(config.e2ee.chat, clock);
    const dispatch = createDispatcher({ tickets, rooms, ledger, e2ee, audit, chat });
    const apiToken =
      config.internal.apiTokenFile !== undefined
        ? readFileSync(config.internal.apiTokenFile, 'utf8').trim()
        : undefined;
    const internalTls = config.internal.tls;
    const internalApi = new InternalApi(
      apiToken,
      rooms,
      ledger,
      audit,
      log,
      internalTls !== undefined ? { allowed: ['rooms'], issuerFile: internalTls.issuerFile } : undefined,
    );
    trackMembership(rooms, e2ee, log);

    const secureHeaders = helmet();
    // The Conclave TLS profile, reloaded from disk on rotation (docs/security/tls.md).
    const tls = new ReloadableTls(config.signalling, { log, ...deps.tls });
    const https = createHttpsServer(
      // One profile for every listener.
      tls.secureContextOptions,
      (req, res) =>
        secureHeaders(req, res, () => {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"code":"not_found","message":"signalling is at wss://…/signalling"}');
        }),
    );
    tls.attach(https);
    const connections = new ConnectionLimiter(config.signalling.maxConnectionsPerAddress);
    const wss = new WebSocketServer({
      server: https,
      path: SIGNALLING_PATH,
      // Hard ceiling against memory exhaustion; messages between the cap and this are refused politely.
      maxPayload: config.signalling.maxMessageBytes * 4,
      perMessageDeflate: false,
      verifyClient: ({ req }, done) => {
        if (connections.admits(addressOf(req.socket))) return done(true);
        metrics.connectionsClosed.inc({ reason: 'too_many_connections' });
        done(false, 429, 'rate_limited: too many connections from this address');
      },
    });
    const limits = {
      maxMessageBytes: config.signalling.maxMessageBytes,
      rateLimit: config.signalling.rateLimit,
      helloTimeoutMs: config.signalling.helloTimeoutMs,
      maxBufferedBytes: config.signalling.maxBufferedBytes,
    };
    wss.on('connection', (socket, req) => {
      const remoteAddress = addressOf(req.socket);
      // Upgrades checked at the same time can pass `admits` together: the count is enforced here.
      if (!connections.acquire(remoteAddress)) {
        metrics.connectionsClosed.inc({ reason: 'too_many_connections' });
        socket.close(SIGNALLING_CLOSE_CODES.tooManyConnections, 'too many connections from this address');
        return;
      }
      socket.once('close', () => connections.release(remoteAddress));
      new SignallingSession(socket, { dispatch, limits, metrics, log, clock, remoteAddress });
    });

    await new Promise<void>((resolve, reject) => {
      https.once('error', reject);
      https.listen(config.signalling.port, config.signalling.host, () => resolve());
    });
    const internal = await startMetricsServer(
      registry,
      config.internal,
      (req, res) => {
        if (req.method === 'GET' && req.url === '/healthz') {
          res.writeHead(pool.workers.length > 0 ? 200 : 503, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              status: pool.workers.length > 0 ? 'ok' : 'degraded',
              workers: pool.workers.length,
            }),
          );
          return true;
        }
        return internalApi.handle(req, res);
      },
      internalTls !== undefined
        ? new ReloadableTls(
            {
              certFile: internalTls.certFile,
              keyFile: internalTls.keyFile,
              clientCaFile: internalTls.clientCaFile,
            },
            { log, ...deps.tls },
          )
        : undefined,
    );
    const poller = new StatsPoller(rooms, pool, metrics);
    poller.start();

    const port = (https.address() as AddressInfo).port;
    const host =
      config.signalling.host === '0.0.0.0' || config.signalling.host === '::'
        ? '127.0.0.1'
        : config.signalling.host;
    const internalHost = config.internal.host === '0.0.0.0' ? '127.0.0.1' : config.internal.host;
    log.info('SFU listening', { signalling: port, internal: internal.port, workers: pool.workers.length });
    return new SfuServer(
      `wss://${host}:${port}${SIGNALLING_PATH}`,
      `${internalTls !== undefined ? 'https' : 'http'}://${internalHost}:${internal.port}`,
      pool,
      rooms,
      https,
      wss,
      internal,
      poller,
      sfuAudit,
      log,
    );
  }

  /** Refreshes the polled metrics now (tests, shutdown). */
  pollStats(): Promise<void> {
    return this.poller.poll();
  }

  async close(): Promise<void> {
    this.poller.stop();
    for (const client of this.wss.clients)
      client.close(SIGNALLING_CLOSE_CODES.shutdown, 'server shutting down');
    this.rooms.closeAll();
    this.wss.close();
    await Promise.all([
      new Promise<void>((resolve) => this.https.close(() => resolve())),
      this.internal.close(),
    ]);
    this.https.closeAllConnections();
    this.pool.close();
    await this.audit.close();
    this.log.info('SFU stopped');
  }
}

/** The peer's address, IPv4-mapped IPv6 written as IPv4 so one host counts once. */
function addressOf(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Whoever leaves the room leaves the MLS group: the relay proposes their removal. */
function trackMembership(rooms: RoomRegistry, e2ee: E2eeRelay, log: Logger): void {
  rooms.on('opened', (room) => {
    room.on('participantLeft', (participant) => {
      e2ee
        .memberLeft(room, participant.id)
        .catch((error: unknown) => log.error('MLS remove failed', { room: room.id, error }));
    });
  });
}
