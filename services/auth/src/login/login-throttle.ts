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

/** Why a key may not try now. */
export interface Refusal {
  key: ThrottleKey;
  error: TooManyRequestsError;
}

/** The throttle key of an account; the same whether or not the account exists, so it reveals nothing. */
export function accountKey(name: string): string {
  return `account:${name}`;
}

export function sourceKey(address: string): string {
  return `source:${address}`;
}

/** Compare-and-set rounds before a reservation gives up under contention (and is refused). */
const MAX_ROUNDS = 64;

/**
 * Failed sign-ins per key with exponential back-off: after `freeAttempts` failures, the next attempt must wait
 * `baseDelayMs × 2^(failures − freeAttempts)` (capped); after `lockAfter` failures the key is locked for
 * `lockMinutes` (then counting starts again). Failures older than the window are forgotten.
 *
 * An attempt first *reserves* its place: the counter is raised by a compare-and-set on the database row before
 * any password is checked, so parallel attempts (in one process or across replicas) cannot all read the same
 * count and slip past the limit. A success gives the reservation back (`release`) or clears the key (`reset`).
 */
export class LoginThrottle {
  private readonly records: Repository<ThrottleRecord>;

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {
    this.records = db.getRepository(ThrottleEntity);
  }

  /** Counts one attempt against the key, or says why it may not be made now (`account_locked`, `rate_limited`). */
  async reserve(key: ThrottleKey): Promise<Refusal | null> {
    return this.increment(key, true);
  }

  /** Counts a failure outright (no reservation); resolves true when it locked the key. */
  async recordFailure(key: ThrottleKey): Promise<boolean> {
    await this.increment(key, false);
    return this.confirmFailure(key);
  }

  /** The reserved attempt failed: locks the key once it reached `lockAfter`; true when this call locked it. */
  async confirmFailure({ key, policy }: ThrottleKey): Promise<boolean> {
    if (policy.lockAfter === null) return false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const record = await this.records.findOneBy({ key });
      const now = this.clock.now();
      if (record === null || this.liveFailures(record, policy, now) < policy.lockAfter) return false;
      const locked = await this.compareAndSet(record, {
        failures: 0,
        lastFailureAt: now,
        lockedUntil: now + policy.lockMinutes * 60_000,
      });
      if (locked) return true;
    }
    return false;
  }

  /** Gives a reservation back: the attempt was not a failure (right password, or it could not be made). */
  async release(key: string): Promise<void> {
    await this.db
      .createQueryBuilder()
      .update(ThrottleEntity)
      .set({ failures: () => 'failures - 1' })
      .where('"key" = :key AND failures > 0', { key })
      .execute();
  }

  /** Forgets the failures of a key (successful sign-in, administrator unlock). True when there were any. */
  async reset(key: string): Promise<boolean> {
    const result = await this.records.delete({ key });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Records that a refusal was answered; true for the first refusal since the key became throttled or locked (or
   * since a window), so a flood of refused requests makes one audit entry, not one each.
   */
  async noteRefusal({ key, policy }: ThrottleKey): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.db
      .createQueryBuilder()
      .update(ThrottleEntity)
      .set({ refusalNotedAt: now })
      .where('"key" = :key', { key })
      .andWhere('(refusal_noted_at IS NULL OR refusal_noted_at <= :windowStart)', {
        windowStart: now - policy.windowMinutes * 60_000,
      })
      .execute();
    return result.affected === 1;
  }

  private async increment({ key, policy }: ThrottleKey, enforce: boolean): Promise<Refusal | null> {
    await this.db
      .createQueryBuilder()
      .insert()
      .into(ThrottleEntity)
      .values({ key, failures: 0, lastFailureAt: 0, lockedUntil: null, refusalNotedAt: null })
      .orIgnore()
      .execute();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const record = await this.records.findOneBy({ key });
      if (record === null) continue;
      const now = this.clock.now();
      if (enforce) {
        const refusal = this.refusal(record, policy, now);
        if (refusal !== null) return { key: { key, policy }, error: refusal };
      }
      const failures = this.liveFailures(record, policy, now) + 1;
      if (await this.compareAndSet(record, { failures, lastFailureAt: now })) return null;
    }
    return {
      key: { key, policy },
      error: new TooManyRequestsError('rate_limited', 'too many attempts at once: try again', 1),
    };
  }

  private refusal(record: ThrottleRecord, policy: ThrottlePolicy, now: number): TooManyRequestsError | null {
    if (record.lockedUntil !== null && record.lockedUntil > now) {
      return new TooManyRequestsError(
        'account_locked',
        'too many failed attempts: try again later',
        seconds(record.lockedUntil - now),
      );
    }
    const failures = this.liveFailures(record, policy, now);
    if (failures < policy.freeAttempts) return null;
    const delay = Math.min(policy.baseDelayMs * 2 ** (failures - policy.freeAttempts), policy.maxDelayMs);
    const allowedAt = record.lastFailureAt + delay;
    if (now >= allowedAt) return null;
    return new TooManyRequestsError(
      'rate_limited',
      'too many failed attempts: wait before trying again',
      seconds(allowedAt - now),
    );
  }

  /** Writes `next` only if the row is still as read: one writer wins each round. */
  private async compareAndSet(
    record: ThrottleRecord,
    next: Pick<ThrottleRecord, 'failures' | 'lastFailureAt'> & { lockedUntil?: number },
  ): Promise<boolean> {
    const result = await this.db
      .createQueryBuilder()
      .update(ThrottleEntity)
      // A new failure or lock starts a new period, whose first refusal is audited.
      .set({ ...next, refusalNotedAt: null })
      .where('"key" = :key AND failures = :failures AND last_failure_at = :lastFailureAt', {
        key: record.key,
        failures: record.failures,
        lastFailureAt: record.lastFailureAt,
      })
      .execute();
    return result.affected === 1;
  }

  private liveFailures(record: ThrottleRecord, policy: ThrottlePolicy, now: number): number {
    return now - record.lastFailureAt > policy.windowMinutes * 60_000 ? 0 : record.failures;
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
