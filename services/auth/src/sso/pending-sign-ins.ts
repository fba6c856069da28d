import { TooManyRequestsError, type Clock } from '@conclave/server-kit';

export interface PendingLimits {
  /** Sign-ins held at once, all sources together. */
  capacity: number;
  /** Sign-ins held at once for one client address. */
  perSource: number;
  /** How long a started sign-in may take at the identity provider. */
  ttlMs: number;
}

interface Entry<T> {
  source: string;
  value: T;
  expiresAt: number;
}

/**
 * Single sign-ons started and not yet finished (OIDC state, SAML request id), bounded: a source may hold
 * `perSource` of them and the store `capacity`. When full, new starts are refused — a live entry is never evicted,
 * so a flood of starts cannot push out a real user's sign-in.
 */
export class PendingSignIns<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly bySource = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: PendingLimits,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Holds a started sign-in, or throws `rate_limited` (429) when its source or the store is full. */
  add(id: string, source: string, value: T): void {
    this.prune();
    const held = this.bySource.get(source) ?? 0;
    if (held >= this.limits.perSource || this.entries.size >= this.limits.capacity) {
      const oldest = this.entries.values().next().value;
      const retryMs = oldest === undefined ? 1000 : oldest.expiresAt - this.clock.now();
      throw new TooManyRequestsError(
        'rate_limited',
        'too many sign-ins started: try again later',
        Math.max(1, Math.ceil(retryMs / 1000)),
      );
    }
    this.entries.set(id, { source, value, expiresAt: this.clock.now() + this.limits.ttlMs });
    this.bySource.set(source, held + 1);
  }

  /** The live sign-in with this id, left in place. */
  peek(id: string): T | undefined {
    const entry = this.entries.get(id);
    return entry !== undefined && entry.expiresAt >= this.clock.now() ? entry.value : undefined;
  }

  /** The live sign-in with this id, removed: each is finished once. */
  take(id: string): T | undefined {
    const value = this.peek(id);
    this.remove(id);
    return value;
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    const held = (this.bySource.get(entry.source) ?? 1) - 1;
    if (held > 0) this.bySource.set(entry.source, held);
    else this.bySource.delete(entry.source);
  }

  /** Entries are kept in start order with one lifetime, so the expired ones are at the front. */
  private prune(): void {
    const now = this.clock.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt >= now) break;
      this.remove(id);
    }
  }
}
