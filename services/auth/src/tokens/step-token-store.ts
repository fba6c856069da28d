import type { DataSource, Repository } from 'typeorm';
import { UnauthorizedError, type Clock } from '@conclave/server-kit';
import { UsedStepTokenEntity, type UsedStepTokenRecord } from '../storage/entities';

/** A verified step-up token: whose it is, and what makes it single use. */
export interface StepGrant {
  userId: string;
  jti: string;
  /** Milliseconds since the epoch; the record of its use can be forgotten after. */
  expiresAt: number;
}

/** Unique-key violations of SQLite and PostgreSQL (23505). */
const DUPLICATE = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE', '23505']);

/**
 * Step-up tokens are single use: the step they authorise (password change, TOTP confirmation) consumes the token's
 * `jti`, recorded until the token expires. The record is written before the step runs (so two concurrent uses
 * cannot both pass) and withdrawn when the step is refused (a weak password can be corrected with the same token).
 */
export class StepTokenStore {
  private readonly used: Repository<UsedStepTokenRecord>;

  constructor(
    db: DataSource,
    private readonly clock: Clock,
  ) {
    this.used = db.getRepository(UsedStepTokenEntity);
  }

  async isUsed(jti: string): Promise<boolean> {
    return (await this.used.countBy({ jti })) > 0;
  }

  /** Runs the step the grant authorises, once: `invalid_token` when the token was already used. */
  async runOnce<T>(grant: StepGrant, step: () => Promise<T>): Promise<T> {
    await this.used
      .createQueryBuilder()
      .delete()
      .where('expires_at < :now', { now: this.clock.now() })
      .execute();
    try {
      await this.used.insert({ jti: grant.jti, expiresAt: grant.expiresAt });
    } catch (error) {
      const code = (error as { driverError?: { code?: string } }).driverError?.code;
      if (code !== undefined && DUPLICATE.has(code))
        throw new UnauthorizedError('invalid_token', 'the token is not valid');
      throw error;
    }
    try {
      return await step();
    } catch (error) {
      await this.used.delete({ jti: grant.jti });
      throw error;
    }
  }
}
