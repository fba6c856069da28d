import { participantStreamEventSchema, type ParticipantStreamEvent } from '@conclave/protocol';
import { errorBodySchema } from './replies';
import { RestError } from './rest-error';

/** Whether the stream is connected, waiting to reconnect, or over for good. */
export type ParticipantStreamStatus = 'open' | 'reconnecting' | 'closed';

export interface ParticipantStreamOptions {
  /** Every event, validated against `participantStreamEventSchema`. */
  onEvent(event: ParticipantStreamEvent): void;
  /** Connection changes; `closed` comes with the refusal that ended it, if any. */
  onStatus?(status: ParticipantStreamStatus, error?: RestError): void;
  /** Silence (no event, no heartbeat) longer than this reconnects (default 45 s: three missed heartbeats). */
  silenceMs?: number;
  /** Waits before each reconnection attempt; the last one repeats (default 0.5, 1, 2, 5, 10 s). */
  retryDelaysMs?: readonly number[];
}

/** An open participant stream. */
export interface ParticipantStream {
  /** Stops the stream and any reconnection. */
  close(): void;
  /** Settles once the stream is over (closed, final state, or refused). */
  readonly done: Promise<void>;
}

/** Opens the HTTP request of one connection (a fresh access token each time). */
export type StreamConnect = (signal: AbortSignal) => Promise<Response>;

/** An event after which room control closes the stream and reconnecting would change nothing. */
export function isFinalEvent(event: ParticipantStreamEvent): boolean {
  return (
    event.type === 'meeting-ended' ||
    (event.type === 'state' && event.state !== 'waiting' && event.state !== 'admitted')
  );
}

/** Splits a `text/event-stream` body into the `data` of each message; comments (heartbeats) are dropped. */
export class EventStreamParser {
  private buffer = '';

  /** Feeds decoded text; returns the data of each message completed by it. */
  push(text: string): string[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const messages: string[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
      if (data.length > 0) messages.push(data.join('\n'));
    }
    if (this.buffer.length > 65_536) throw new Error('an event stream message is too long');
    return messages;
  }
}

/**
 * Reads room control's participant stream with `fetch` (EventSource cannot send the bearer token), validates
 * every event, and reconnects after a drop, a silence or the token's expiry, until a final event, a refusal
 * other than 429/5xx, or `close()`.
 */
export function readParticipantStream(
  connect: StreamConnect,
  options: ParticipantStreamOptions,
): ParticipantStream {
  const delays = options.retryDelaysMs ?? [500, 1000, 2000, 5000, 10_000];
  const silenceMs = options.silenceMs ?? 45_000;
  let stopped = false;
  let current: AbortController | undefined;
  let wake: (() => void) | undefined;
  let opened = false;

  const once = async (): Promise<'final' | 'dropped' | RestError> => {
    const controller = new AbortController();
    current = controller;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const feed = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => controller.abort(), silenceMs);
    };
    try {
      feed();
      const response = await connect(controller.signal);
      if (!response.ok) {
        const body = errorBodySchema.safeParse(await response.json().catch(() => undefined));
        return new RestError(
          response.status,
          body.success ? body.data.code : 'unexpected_reply',
          body.success ? body.data.message : `HTTP ${response.status}`,
        );
      }
      if (response.body === null) return 'dropped';
      opened = true;
      options.onStatus?.('open');
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const parser = new EventStreamParser();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'dropped';
        feed();
        for (const data of parser.push(decoder.decode(value, { stream: true }))) {
          const event = participantStreamEventSchema.safeParse(JSON.parse(data));
          // The server is outside the trust boundary: an unexpected event is dropped, never acted on.
          if (!event.success) continue;
          options.onEvent(event.data);
          if (isFinalEvent(event.data)) {
            controller.abort();
            return 'final';
          }
        }
      }
    } catch {
      return 'dropped';
    } finally {
      clearTimeout(watchdog);
    }
  };

  const run = async () => {
    let attempt = 0;
    let refusal: RestError | undefined;
    while (!stopped) {
      opened = false;
      const outcome = await once();
      if (stopped || outcome === 'final') break;
      if (outcome instanceof RestError && outcome.status !== 429 && outcome.status < 500) {
        refusal = outcome;
        break;
      }
      // A stream that was up (and e.g. closed at the token's expiry) reconnects at once.
      if (opened) attempt = 0;
      options.onStatus?.('reconnecting');
      const delay = delays[Math.min(attempt, delays.length - 1)]!;
      attempt += 1;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    options.onStatus?.('closed', refusal);
  };

  const done = run();
  return {
    done,
    close() {
      stopped = true;
      current?.abort();
      wake?.();
    },
  };
}
