import {
  PROTOCOL_VERSION,
  type ClientRequest,
  type ClientRequestType,
  type ErrorCode,
  type ResponseDataMap,
  type ServerMessage,
  type ServerNotification,
} from '@conclave/protocol';
import { checkAnnouncedSuite } from './e2ee/suite-check';

/** The parts of the WebSocket API the client uses; the browser's WebSocket and `ws` both provide them. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'close' | 'error' | 'message',
    listener: (event: { data?: unknown; code?: number; reason?: string }) => void,
  ): void;
}

/** A refusal from the server, with its stable code. */
export class SignallingError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignallingError';
  }
}

type Payload<T extends ClientRequestType> = Omit<Extract<ClientRequest, { type: T }>, 'type' | 'id'>;
type NotificationOf<T extends ServerNotification['type']> = Extract<ServerNotification, { type: T }>;
type Listener<T extends ServerNotification['type']> = (message: NotificationOf<T>) => void;

const OPEN = 1;

/**
 * Typed request/response over the signalling WebSocket: one method call per request type, results typed by
 * `ResponseDataMap`, refusals thrown as `SignallingError` with the server's code.
 */
export class SignallingClient {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (data: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly listeners = new Map<string, Set<(message: ServerNotification) => void>>();
  private closeListeners = new Set<(code: number, reason: string) => void>();

  private constructor(private readonly socket: WebSocketLike) {
    socket.addEventListener('message', (event) => this.onMessage(event.data));
    socket.addEventListener('close', (event) => {
      const error = new SignallingError('service_unavailable', 'signalling connection closed');
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
      for (const listener of this.closeListeners) listener(event.code ?? 1006, event.reason ?? '');
    });
  }

  /** Waits for the socket to open and wraps it. */
  static async connect(socket: WebSocketLike): Promise<SignallingClient> {
    if (socket.readyState !== OPEN) {
      await new Promise<void>((resolve, reject) => {
        socket.addEventListener('open', () => resolve());
        socket.addEventListener('error', () =>
          reject(new SignallingError('service_unavailable', 'cannot reach the SFU')),
        );
        socket.addEventListener('close', () =>
          reject(new SignallingError('service_unavailable', 'connection closed')),
        );
      });
    }
    return new SignallingClient(socket);
  }

  /**
   * Sends `hello` with the join ticket (the first message of every session). Refuses an answer whose MLS
   * suite is not the one the ticket names (`suite_mismatch`: a downgrade by the SFU) and closes the connection.
   */
  async hello(ticket: string): Promise<ResponseDataMap['hello']> {
    const hello = await this.request('hello', { protocolVersion: PROTOCOL_VERSION, ticket });
    const verdict = checkAnnouncedSuite(ticket, (hello as { e2ee?: { suite?: unknown } }).e2ee?.suite);
    if (!verdict.ok) {
      this.close();
      throw new SignallingError(verdict.code, verdict.message);
    }
    return hello;
  }

  request<T extends ClientRequestType>(type: T, payload: Payload<T>): Promise<ResponseDataMap[T]> {
    const id = this.nextId++;
    return new Promise<ResponseDataMap[T]>((resolve, reject) => {
      if (this.socket.readyState !== OPEN) {
        reject(new SignallingError('service_unavailable', 'signalling connection is not open'));
        return;
      }
      this.pending.set(id, { resolve: resolve as (data: unknown) => void, reject });
      this.socket.send(JSON.stringify({ type, id, ...payload }));
    });
  }

  /** Sends raw text (tests of the server's edge checks). */
  sendRaw(text: string): void {
    this.socket.send(text);
  }

  on<T extends ServerNotification['type']>(type: T, listener: Listener<T>): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) this.listeners.set(type, (set = new Set()));
    set.add(listener as (message: ServerNotification) => void);
    return () => set.delete(listener as (message: ServerNotification) => void);
  }

  /** Resolves with the next notification of `type` (optionally matching `predicate`). */
  next<T extends ServerNotification['type']>(
    type: T,
    predicate: (message: NotificationOf<T>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<NotificationOf<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${type} notification within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(type, (message) => {
        if (!predicate(message)) return;
        clearTimeout(timer);
        off();
        resolve(message);
      });
    });
  }

  onClose(listener: (code: number, reason: string) => void): void {
    this.closeListeners.add(listener);
  }

  /** Responses that carry no request id (refusals of unparseable input) are delivered here. */
  onUnmatchedError(listener: (code: ErrorCode, message: string) => void): void {
    this.unmatched = listener;
  }

  close(): void {
    this.socket.close(1000, 'bye');
  }

  private unmatched: ((code: ErrorCode, message: string) => void) | undefined;

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') data = String(data);
    let message: ServerMessage;
    try {
      message = JSON.parse(data as string) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'response') {
      const pending = message.id !== null ? this.pending.get(message.id) : undefined;
      if (pending === undefined) {
        if (!message.ok) this.unmatched?.(message.error.code, message.error.message);
        return;
      }
      this.pending.delete(message.id!);
      if (message.ok) pending.resolve(message.data);
      else pending.reject(new SignallingError(message.error.code, message.error.message));
      return;
    }
    for (const listener of this.listeners.get(message.type) ?? []) listener(message);
  }
}
