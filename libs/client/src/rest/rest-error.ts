import type { ErrorCode } from '@conclave/protocol';

/**
 * A refusal from a Conclave REST service (its stable `code`), or `unexpected_reply` when the reply did not match
 * the wire type (the app treats that as "the service is unavailable", never as data).
 */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'unexpected_reply' | 'network_error',
    message: string,
    /** Seconds the service asked to wait (its `Retry-After`), on 429 and 503 refusals. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'RestError';
  }
}
