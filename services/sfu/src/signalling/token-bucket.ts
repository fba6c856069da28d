import type { Clock } from '@conclave/server-kit';

/** A budget of `burst` tokens at once, refilled at `perSecond` (requests per connection, chat bytes…). */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes `cost` tokens (one request, or a message's bytes); false, taking none, when the budget is short. */
  take(cost = 1): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}
