import type { RawData, WebSocket } from 'ws';
import {
  clientRequestSchema,
  isErrorCode,
  type ClientRequest,
  type ErrorCode,
  type ServerMessage,
  type ServerNotification,
} from '@conclave/protocol';
import { ConclaveError, type Clock, type Logger } from '@conclave/server-kit';
import type { SfuMetrics } from '../metrics';
import type { Participant } from '../rooms/participant';
import type { Room } from '../rooms/room';
import { TokenBucket } from './token-bucket';

export interface SessionLimits {
  maxMessageBytes: number;
  rateLimit: { perSecond: number; burst: number };
  helloTimeoutMs: number;
}

/** Handles one validated request of this session and returns its response data. */
export type RequestDispatcher = (session: SignallingSession, request: ClientRequest) => Promise<unknown>;

/** WebSocket close codes (4000–4999 are application-defined, RFC 6455 §7.4.2). */
export const CLOSE_CODES = {
  helloTimeout: 4001,
  replaced: 4002,
  removed: 4003,
  shutdown: 4004,
} as const;

/** Bounded pending work per connection: requests beyond it are refused, not queued. */
const MAX_QUEUED_REQUESTS = 64;
/** A cheap look at the request id of a message that cannot be parsed fully. */
const REQUEST_ID_PATTERN = /"id"\s*:\s*(\d{1,10})/;

/**
 * One signalling connection. Every message is checked at the edge (size, rate, JSON, schema) and answered;
 * a bad message is refused with a stable code and affects nothing else. Requests run one at a time, in order.
 */
export class SignallingSession {
  participant: Participant | undefined;
  room: Room | undefined;
  private readonly bucket: TokenBucket;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private helloTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly dispatch: RequestDispatcher,
    private readonly limits: SessionLimits,
    private readonly metrics: SfuMetrics,
    private readonly log: Logger,
    clock: Clock,
  ) {
    this.bucket = new TokenBucket(limits.rateLimit.perSecond, limits.rateLimit.burst, clock);
    this.helloTimer = setTimeout(() => {
      if (this.participant === undefined) this.close(CLOSE_CODES.helloTimeout, 'hello expected');
    }, limits.helloTimeoutMs);
    metrics.connections.inc();
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', (error) => this.log.debug('signalling socket error', { error }));
  }

  get authenticated(): boolean {
    return this.participant !== undefined;
  }

  /** Called by the dispatcher once `hello` succeeded. */
  bind(participant: Participant, room: Room): void {
    this.participant = participant;
    this.room = room;
    clearTimeout(this.helloTimer);
  }

  notify(message: ServerNotification): void {
    this.send(message);
  }

  close(code: number, reason: string): void {
    clearTimeout(this.helloTimer);
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) return this.refuse(null, 'malformed_message', 'messages are JSON text');
    if (bytes.byteLength > this.limits.maxMessageBytes) {
      const edges = bytes.subarray(0, 256).toString('latin1') + ' ' + bytes.subarray(-256).toString('latin1');
      const id = REQUEST_ID_PATTERN.exec(edges)?.[1];
      return this.refuse(
        id !== undefined ? Number(id) : null,
        'message_too_large',
        `limit is ${this.limits.maxMessageBytes} bytes`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      return this.refuse(null, 'malformed_message', 'not JSON');
    }
    const id = requestIdOf(json);
    if (!this.bucket.take()) return this.refuse(id, 'rate_limited', 'too many requests');
    const parsed = clientRequestSchema.safeParse(json);
    if (!parsed.success) {
      const unknownType = parsed.error.issues.some(
        (i) => i.code === 'invalid_union' && i.path.join('.') === 'type',
      );
      return this.refuse(
        id,
        unknownType ? 'unknown_type' : 'malformed_message',
        summarise(parsed.error.issues),
      );
    }
    const request = parsed.data;
    this.metrics.signallingMessages.inc({ type: request.type });
    if (request.type !== 'hello' && !this.authenticated) {
      return this.refuse(request.id, 'not_authenticated', 'send hello first');
    }
    if (this.queued >= MAX_QUEUED_REQUESTS)
      return this.refuse(request.id, 'rate_limited', 'too many pending requests');
    this.queued++;
    this.queue = this.queue.then(() => this.run(request)).finally(() => this.queued--);
  }

  private async run(request: ClientRequest): Promise<void> {
    try {
      const data = await this.dispatch(this, request);
      this.send({ type: 'response', id: request.id, ok: true, data: data ?? {} });
    } catch (error) {
      if (error instanceof ConclaveError) {
        if (error.detail !== undefined)
          this.log.debug('request refused', { type: request.type, code: error.code, detail: error.detail });
        return this.refuse(request.id, error.code, error.message);
      }
      this.log.error('request failed', { type: request.type, error });
      this.refuse(request.id, 'internal_error', 'the request could not be completed');
    }
  }

  private refuse(id: number | null, code: ErrorCode, message: string): void {
    this.metrics.signallingRefusals.inc({ code });
    this.send({
      type: 'response',
      id,
      ok: false,
      error: { code: isErrorCode(code) ? code : 'internal_error', message },
    });
  }

  private send(message: ServerMessage): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(message));
  }

  private onClose(): void {
    clearTimeout(this.helloTimer);
    this.metrics.connections.dec();
    if (this.participant !== undefined && this.room !== undefined) this.room.leave(this.participant, 'left');
  }
}

function requestIdOf(json: unknown): number | null {
  if (typeof json !== 'object' || json === null) return null;
  const id = (json as { id?: unknown }).id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < 2 ** 31 ? id : null;
}

function summarise(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(message)'}: ${i.message}`)
    .join('; ');
}
