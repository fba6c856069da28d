import type { Clock } from '@conclave/server-kit';

/** Keys followed at most; when full, buckets that refilled completely are forgotten first. */
const MAX_KEYS = 50_000;

export interface TokenBucketOptions {
  /** Requests allowed at once. */
  burst: number;
  /** Tokens added back each second. */
  perSecond: number;
}

/** One token bucket per key (a user, a source address): `take` says whether a request may proceed. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly clock: Clock,
  ) {}

  /** Takes one token for `key`: 0 when allowed, else the seconds until one is available. */
  take(key: string): number {
    const now = this.clock.now();
    const bucket = this.buckets.get(key);
    const tokens =
      bucket === undefined
        ? this.options.burst
        : Math.min(this.options.burst, bucket.tokens + ((now - bucket.atMs) / 1000) * this.options.perSecond);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, atMs: now });
      return Math.max(1, Math.ceil((1 - tokens) / this.options.perSecond));
    }
    if (bucket === undefined && this.buckets.size >= MAX_KEYS) this.forgetFull(now);
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens - 1, atMs: now });
    return 0;
  }

  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((now - bucket.atMs) / 1000) * this.options.perSecond;
      if (refilled >= this.options.burst) this.buckets.delete(key);
    }
    // Still full: the least recently used go, oldest first.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_KEYS) break;
      this.buckets.delete(key);
    }
  }
}
