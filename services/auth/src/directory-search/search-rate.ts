import { TooManyRequestsError, type Clock } from '@conclave/server-kit';

/** How many searches one person may make per window. */
export interface SearchRatePolicy {
  perMinute: number;
}

const WINDOW_MS = 60_000;
/** Beyond this many people tracked, windows that have ended are dropped (memory stays bounded). */
const PRUNE_AT = 10_000;

/**
 * Per-person rate limit of directory searches (a fixed one-minute window, in memory): a signed-in person cannot
 * walk the directory. Excess is refused with 429 `rate_limited` and Retry-After.
 */
export class SearchRate {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly policy: SearchRatePolicy,
    private readonly clock: Clock,
  ) {}

  /** Counts one search by `userId`, or throws `rate_limited` when the window's allowance is spent. */
  take(userId: string): void {
    const now = this.clock.now();
    if (this.windows.size >= PRUNE_AT)
      for (const [key, window] of this.windows)
        if (now - window.startedAt >= WINDOW_MS) this.windows.delete(key);
    let window = this.windows.get(userId);
    if (window === undefined || now - window.startedAt >= WINDOW_MS) {
      window = { startedAt: now, count: 0 };
      this.windows.set(userId, window);
    }
    if (window.count >= this.policy.perMinute)
      throw new TooManyRequestsError(
        'rate_limited',
        'too many searches: wait a moment',
        Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000)),
      );
    window.count++;
  }
}
