import {
  PROTOCOL_VERSION,
  responseDataSchemas,
  serverNotificationSchema,
  serverResponseSchema,
  type ClientRequest,
  type ClientRequestType,
  type ErrorCode,
  type ResponseDataMap,
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

/** A message from the server that failed validation and was dropped (its content is not repeated here). */
export interface InvalidServerMessage {
  /** `json`: not JSON; `envelope`: neither a response nor a known notification; `data`: a response's data. */
  readonly stage: 'json' | 'envelope' | 'data';
  /** The message's `type`, or for `data` the request type it answered, when known. */
  readonly type?: string;
  /** Where it failed (paths of the schema's issues, e.g. `roster.0.leafIndex`). */
  readonly paths: readonly string[];
}

/**
 * Typed request/response over the signalling WebSocket: one method call per request type, results typed by
 * `ResponseDataMap`, refusals thrown as `SignallingError` with the server's code.
 */
export class SignallingClient {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { type: ClientRequestType; resolve: (data: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly invalidListeners = new Set<(problem: InvalidServerMessage) => void>();
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
    const hello = await this.request('hello', { protocolVersion: PROTOCOL_VERSION, ticket }).catch(
      (error: unknown) => {
        // A malformed answer to hello leaves nothing to go on with this server.
        if (error instanceof SignallingError && error.code === 'malformed_message') this.close();
        throw error;
      },
    );
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
      this.pending.set(id, { type, resolve: resolve as (data: unknown) => void, reject });
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

  /**
   * Server messages that failed validation: dropped (a request they answered is rejected with
   * `malformed_message`), never acted upon.
   */
  onInvalidMessage(listener: (problem: InvalidServerMessage) => void): () => void {
    this.invalidListeners.add(listener);
    return () => this.invalidListeners.delete(listener);
  }

  close(): void {
    this.socket.close(1000, 'bye');
  }

  private invalid(problem: InvalidServerMessage): void {
    for (const listener of this.invalidListeners) listener(problem);
  }

  private unmatched: ((code: ErrorCode, message: string) => void) | undefined;

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') data = String(data);
    let raw: unknown;
    try {
      raw = JSON.parse(data as string) as unknown;
    } catch {
      return this.invalid({ stage: 'json', paths: [] });
    }
    const kind = (raw as { type?: unknown } | null)?.type;
    if (kind === 'response') {
      const envelope = serverResponseSchema.safeParse(raw);
      if (!envelope.success)
        return this.invalid({ stage: 'envelope', type: kind, paths: paths(envelope.error) });
      const message = envelope.data;
      const pending = message.id !== null ? this.pending.get(message.id) : undefined;
      if (pending === undefined) {
        if (!message.ok) this.unmatched?.(message.error.code, message.error.message);
        return;
      }
      this.pending.delete(message.id!);
      if (!message.ok) return pending.reject(new SignallingError(message.error.code, message.error.message));
      const checked = responseDataSchemas[pending.type].safeParse(message.data);
      if (checked.success) return pending.resolve(checked.data);
      this.invalid({ stage: 'data', type: pending.type, paths: paths(checked.error) });
      pending.reject(
        new SignallingError('malformed_message', `the server's answer to ${pending.type} is malformed`),
      );
      return;
    }
    const notification = serverNotificationSchema.safeParse(raw);
    if (!notification.success) {
      return this.invalid({
        stage: 'envelope',
        ...(typeof kind === 'string' ? { type: kind.slice(0, 64) } : {}),
        paths: paths(notification.error),
      });
    }
    const message: ServerNotification = notification.data;
    for (const listener of this.listeners.get(message.type) ?? []) listener(message);
  }
}

function paths(error: { issues: readonly { path: readonly PropertyKey[] }[] }): string[] {
  return error.issues.slice(0, 8).map((issue) => issue.path.map(String).join('.'));
}
