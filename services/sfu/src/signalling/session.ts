import type { RawData, WebSocket } from 'ws';
import {
  clientRequestSchema,
  isErrorCode,
  SIGNALLING_CLOSE_CODES,
  type ClientRequest,
  type ErrorCode,
  type ServerMessage,
  type ServerNotification,
} from '@conclave/protocol';
import { ConclaveError, type Clock, type Logger } from '@conclave/server-kit';
import type { SfuMetrics } from '../metrics';
import type { Participant } from '../rooms/participant';
import type { Room } from '../rooms/room';
import { EncodedNotification } from './encoded-message';
import { TokenBucket } from './token-bucket';

export interface SessionLimits {
  maxMessageBytes: number;
  rateLimit: { perSecond: number; burst: number };
  helloTimeoutMs: number;
  /** Unsent data above this for a second (or 8 times it at once) closes the connection: a client that does not read. */
  maxBufferedBytes: number;
}

export interface SignallingSessionOptions {
  dispatch: RequestDispatcher;
  limits: SessionLimits;
  metrics: SfuMetrics;
  log: Logger;
  clock: Clock;
  /** The peer's address (for the audit trail, which keeps it only if configured to). */
  remoteAddress: string;
}

/** Handles one validated request of this session and returns its response data. */
export type RequestDispatcher = (session: SignallingSession, request: ClientRequest) => Promise<unknown>;

/** Bounded pending work per connection: requests beyond it are refused, not queued. */
const MAX_QUEUED_REQUESTS = 64;
/** Unsent data may stay above `maxBufferedBytes` this long (a burst draining) before the client counts as slow. */
const SLOW_CLIENT_GRACE_MS = 1000;
/** Unsent data beyond this multiple of `maxBufferedBytes` closes the connection at once. */
const HARD_BUFFER_FACTOR = 8;
/** A cheap look at the request id of a message that cannot be parsed fully. */
const REQUEST_ID_PATTERN = /"id"\s*:\s*(\d{1,10})/;

/**
 * One signalling connection. Every message is checked at the edge (size, rate, JSON, schema) and answered;
 * a bad message is refused with a stable code and affects nothing else. Requests run one at a time, in order.
 */
export class SignallingSession {
  participant: Participant | undefined;
  room: Room | undefined;
  readonly remoteAddress: string;
  private readonly dispatch: RequestDispatcher;
  private readonly limits: SessionLimits;
  private readonly metrics: SfuMetrics;
  private readonly log: Logger;
  private readonly bucket: TokenBucket;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private helloTimer: NodeJS.Timeout | undefined;
  private slowTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    { dispatch, limits, metrics, log, clock, remoteAddress }: SignallingSessionOptions,
  ) {
    this.dispatch = dispatch;
    this.limits = limits;
    this.metrics = metrics;
    this.log = log;
    this.remoteAddress = remoteAddress;
    this.bucket = new TokenBucket(limits.rateLimit.perSecond, limits.rateLimit.burst, clock);
    this.helloTimer = setTimeout(() => {
      if (this.participant === undefined) this.close(SIGNALLING_CLOSE_CODES.helloTimeout, 'hello expected');
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

  notify(message: ServerNotification | EncodedNotification): void {
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
    // The token is taken before any parsing: a flood costs the server a counter, not a JSON parse.
    if (!this.bucket.take()) return this.refuse(peekRequestId(bytes), 'rate_limited', 'too many requests');
    if (isBinary) return this.refuse(null, 'malformed_message', 'messages are JSON text');
    if (bytes.byteLength > this.limits.maxMessageBytes) {
      return this.refuse(
        peekRequestId(bytes),
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
        // Before a valid ticket, a refusal is answered and counted, never logged: strangers cannot fill the logs.
        if (error.detail !== undefined && this.authenticated)
          this.log.debug('request refused', { type: request.type, code: error.code, detail: error.detail });
        this.refuse(request.id, error.code, error.message);
      } else {
        this.log.error('request failed', { type: request.type, error });
        this.refuse(request.id, 'internal_error', 'the request could not be completed');
      }
      if (request.type === 'hello' && !this.authenticated) {
        this.metrics.connectionsClosed.inc({ reason: 'hello_refused' });
        this.close(SIGNALLING_CLOSE_CODES.helloRefused, 'hello refused');
      }
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

  private send(message: ServerMessage | EncodedNotification): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const text = message instanceof EncodedNotification ? message.text : JSON.stringify(message);
    // A fan-out queues its burst within one tick even for a client that reads: only data still unsent a moment
    // later, or far past the bound, shows a client that does not read.
    const buffered = this.socket.bufferedAmount;
    if (buffered > this.limits.maxBufferedBytes * HARD_BUFFER_FACTOR) return this.dropSlowClient();
    if (buffered > this.limits.maxBufferedBytes && this.slowTimer === undefined) {
      this.slowTimer = setTimeout(() => {
        this.slowTimer = undefined;
        if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) this.dropSlowClient();
      }, SLOW_CLIENT_GRACE_MS);
      this.slowTimer.unref();
    }
    this.socket.send(text);
  }

  private dropSlowClient(): void {
    this.metrics.connectionsClosed.inc({ reason: 'too_slow' });
    // Counted in metrics always; logged only for a participant, so strangers cannot fill the logs this way.
    if (this.participant !== undefined)
      this.log.info('closing a connection that does not read', {
        participant: this.participant.id,
        buffered: this.socket.bufferedAmount,
      });
    // Not a polite close: that would wait for a peer which is not reading.
    this.socket.terminate();
  }

  private onClose(): void {
    clearTimeout(this.helloTimer);
    clearTimeout(this.slowTimer);
    this.metrics.connections.dec();
    if (this.participant !== undefined && this.room !== undefined) this.room.leave(this.participant, 'left');
  }
}

/** A cheap look at the request id of a message not parsed (too large, or over the rate limit). */
function peekRequestId(bytes: Buffer): number | null {
  const edges = bytes.subarray(0, 256).toString('latin1') + ' ' + bytes.subarray(-256).toString('latin1');
  const id = REQUEST_ID_PATTERN.exec(edges)?.[1];
  return id !== undefined ? Number(id) : null;
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
