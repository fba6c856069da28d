/** Where a meeting is: joining the first time, in it, rejoining after a lost connection, or over for good. */
export type MeetingPhase = 'joining' | 'joined' | 'reconnecting' | 'ended';

/**
 * Why a meeting ended for this client. `left`: the person left; `removed-by-organiser`, `room-ended`: the SFU
 * said so; `replaced`: the same participant session joined from elsewhere; `refused`: the SFU or room control
 * refused this session (the detail carries the code, e.g. `participant_removed`, `meeting_ended`);
 * `unreachable`: every attempt to (re)join failed on the network.
 */
export type MeetingEndReason =
  'left' | 'removed-by-organiser' | 'room-ended' | 'replaced' | 'refused' | 'unreachable';

/** What happened, as the Meeting observed it. */
export type LifecycleInput =
  | { type: 'connected' }
  /** The signalling connection closed without the person leaving (`code`: the WebSocket close code). */
  | { type: 'connection-lost'; code: number }
  /** A join or rejoin attempt failed; `code` is a stable error code when the failure was a refusal. */
  | { type: 'attempt-failed'; code?: string }
  | { type: 'removed'; reason: 'removed-by-organiser' | 'room-ended' }
  | { type: 'leave' };

/** What the Meeting must do next. */
export type LifecycleAction =
  | { type: 'none' }
  | { type: 'reconnect'; attempt: number; delayMs: number }
  | { type: 'end'; reason: MeetingEndReason; detail?: string };

export interface LifecycleOptions {
  /** Rejoin attempts after a lost connection before giving up (default 6). */
  maxAttempts?: number;
  /** First wait before rejoining, doubled on every failed attempt (default 500 ms, at most 8 s). */
  baseDelayMs?: number;
}

/** Close codes of the SFU (SIGNALLING_CLOSE_CODES) after which joining again is pointless. */
const REPLACED = 4002;
const REMOVED = 4003;
/** Refusals that may pass: the service or the network, not a decision about this person. */
const TRANSIENT_CODES = new Set(['service_unavailable', 'internal_error', 'rate_limited']);
const MAX_DELAY_MS = 8000;

/**
 * The Meeting's state machine, pure: joining → joined → reconnecting → joined | ended. Every exit is `ended`,
 * which is final. A lost connection leads to rejoining with backoff; a refusal that is a decision (removed,
 * meeting ended, not admitted) ends the meeting at once with its code; transient failures are retried until
 * `maxAttempts`.
 */
export class MeetingLifecycle {
  private current: MeetingPhase = 'joining';
  private attempts = 0;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(options: LifecycleOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 500;
  }

  get phase(): MeetingPhase {
    return this.current;
  }

  /** The rejoin attempt under way (0 when not reconnecting). */
  get attempt(): number {
    return this.current === 'reconnecting' ? this.attempts : 0;
  }

  apply(input: LifecycleInput): LifecycleAction {
    if (this.current === 'ended') return { type: 'none' };
    switch (input.type) {
      case 'leave':
        return this.end('left');
      case 'removed':
        return this.end(input.reason);
      case 'connected':
        this.current = 'joined';
        this.attempts = 0;
        return { type: 'none' };
      case 'connection-lost':
        if (input.code === REPLACED) return this.end('replaced');
        if (input.code === REMOVED) return this.end('removed-by-organiser');
        // Lost while already rejoining: the attempt under way fails and is retried through attempt-failed.
        if (this.current === 'reconnecting') return { type: 'none' };
        this.current = 'reconnecting';
        this.attempts = 0;
        return this.retry();
      case 'attempt-failed':
        // A first join that fails is not retried: the caller still holds the person's attention.
        if (this.current === 'joining')
          return this.end(transient(input.code) ? 'unreachable' : 'refused', input.code);
        if (this.current !== 'reconnecting') return { type: 'none' };
        if (!transient(input.code)) return this.end('refused', input.code);
        return this.retry();
    }
  }

  private retry(): LifecycleAction {
    if (this.attempts >= this.maxAttempts) return this.end('unreachable');
    const delayMs = Math.min(this.baseDelayMs * 2 ** this.attempts, MAX_DELAY_MS);
    this.attempts++;
    return { type: 'reconnect', attempt: this.attempts, delayMs };
  }

  private end(reason: MeetingEndReason, detail?: string): LifecycleAction {
    this.current = 'ended';
    return { type: 'end', reason, ...(detail !== undefined ? { detail } : {}) };
  }
}

/** A failure without a code (the network) or with a transient one is worth retrying. */
function transient(code: string | undefined): boolean {
  return code === undefined || TRANSIENT_CODES.has(code);
}
