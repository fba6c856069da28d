import { participantStreamEventSchema, type ParticipantStreamEvent } from '@conclave/protocol';

/** A participant stream read as a browser reads it (fetch + body reader), every event checked against the contract. */
export class StreamReader {
  readonly events: ParticipantStreamEvent[] = [];
  /** Heartbeat comments seen. */
  heartbeats = 0;
  ended = false;
  /** What broke the stream (a malformed event), if not the test closing it. */
  failure: unknown;
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];

  private constructor(readonly status: number) {}

  /** Opens the stream; a refusal resolves with its status and JSON body instead. */
  static async open(
    url: string,
    token: string,
  ): Promise<
    | { reader: StreamReader; refusal?: undefined }
    | { reader?: undefined; refusal: { status: number; body: { code: string } } }
  > {
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok)
      return { refusal: { status: response.status, body: (await response.json()) as { code: string } } };
    if (!response.headers.get('content-type')?.startsWith('text/event-stream'))
      throw new Error(`not an event stream: ${response.headers.get('content-type')}`);
    const reader = new StreamReader(response.status);
    reader.abort.signal.addEventListener('abort', () => controller.abort());
    void reader.pump(response.body!);
    return { reader };
  }

  /** Waits for an event matching `match` (already received or to come). */
  async next(
    match: (event: ParticipantStreamEvent) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<ParticipantStreamEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found !== undefined) return found;
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) throw new Error(`the stream ended before ${what}: ${JSON.stringify(this.events)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the server to end the stream. */
  async end(what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the stream to end (${what})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) this.heartbeats += 1;
            else if (line.startsWith('data: '))
              this.events.push(participantStreamEventSchema.parse(JSON.parse(line.slice(6))));
          }
        }
        this.wake();
      }
    } catch (error) {
      if (!this.abort.signal.aborted) this.failure = error;
    }
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}
