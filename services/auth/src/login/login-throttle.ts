import type { DataSource, Repository } from 'typeorm';
import { TooManyRequestsError, type Clock } from '@conclave/server-kit';
import { ThrottleEntity, type ThrottleRecord } from '../storage/entities';

export interface ThrottlePolicy {
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  lockAfter: number | null;
  lockMinutes: number;
  windowMinutes: number;
}

export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
}

/** The throttle key of an account; the same whether or not the account exists, so it reveals nothing. */
export function accountKey(usernameKey: string): string {
  return `account:${usernameKey}`;
}

export function sourceKey(address: string): string {
  return `source:${address}`;
}

/**
 * Failed sign-ins per key with exponential back-off: after `freeAttempts` failures, the next attempt must wait
 * `baseDelayMs × 2^(failures − freeAttempts)` (capped); after `lockAfter` failures the key is locked for
 * `lockMinutes` (then counting starts again). Failures older than the window are forgotten.
 */
export class LoginThrottle {
  private readonly records: Repository<ThrottleRecord>;

  constructor(
    db: DataSource,
    private readonly clock: Clock,
  ) {
    this.records = db.getRepository(ThrottleEntity);
  }

  /** Throws `account_locked` or `rate_limited` (429 with Retry-After) when the key may not try now. */
  async check({ key, policy }: ThrottleKey): Promise<void> {
    const record = await this.records.findOneBy({ key });
    if (record === null) return;
    const now = this.clock.now();
    if (record.lockedUntil !== null && record.lockedUntil > now) {
      throw new TooManyRequestsError(
        'account_locked',
        'too many failed attempts: try again later',
        seconds(record.lockedUntil - now),
      );
    }
    const failures = this.liveFailures(record, policy, now);
    if (failures < policy.freeAttempts) return;
    const delay = Math.min(policy.baseDelayMs * 2 ** (failures - policy.freeAttempts), policy.maxDelayMs);
    const allowedAt = record.lastFailureAt + delay;
    if (now < allowedAt)
      throw new TooManyRequestsError(
        'rate_limited',
        'too many failed attempts: wait before trying again',
        seconds(allowedAt - now),
      );
  }

  /** Counts a failure; resolves true when this failure locked the key. */
  async recordFailure({ key, policy }: ThrottleKey): Promise<boolean> {
    const now = this.clock.now();
    const record = await this.records.findOneBy({ key });
    const failures = (record === null ? 0 : this.liveFailures(record, policy, now)) + 1;
    const locks = policy.lockAfter !== null && failures >= policy.lockAfter;
    const next: ThrottleRecord = {
      key,
      failures: locks ? 0 : failures,
      lastFailureAt: now,
      lockedUntil: locks ? now + policy.lockMinutes * 60_000 : (record?.lockedUntil ?? null),
    };
    await this.records.save(next);
    return locks;
  }

  /** Forgets the failures of a key (successful sign-in, administrator unlock). True when there were any. */
  async reset(key: string): Promise<boolean> {
    const result = await this.records.delete({ key });
    return (result.affected ?? 0) > 0;
  }

  private liveFailures(record: ThrottleRecord, policy: ThrottlePolicy, now: number): number {
    return now - record.lastFailureAt > policy.windowMinutes * 60_000 ? 0 : record.failures;
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
