import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import type { AuthMethod } from '@conclave/protocol';
import { UnauthorizedError, type Clock } from '@conclave/server-kit';
import { RefreshTokenEntity, SessionEntity, type SessionRecord } from '../storage/entities';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface SessionLifetimes {
  refreshSeconds: number;
  sessionMaxSeconds: number;
}

export type RotateResult =
  | { kind: 'rotated'; session: SessionRecord; refreshToken: string }
  | { kind: 'reused'; session: SessionRecord };

/**
 * Sign-in sessions and their refresh tokens. A refresh token is 256 random bits, stored as its SHA-256, and
 * exchanged once: presenting a used one again means it was copied, and the whole session (every token
 * descending from the same sign-in) is revoked.
 */
export class SessionStore {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly lifetimes: SessionLifetimes,
  ) {}

  async start(userId: string, amr: AuthMethod[]): Promise<{ session: SessionRecord; refreshToken: string }> {
    const now = this.clock.now();
    const session: SessionRecord = {
      id: randomUUID(),
      userId,
      amr: amr.join(','),
      createdAt: now,
      expiresAt: now + this.lifetimes.sessionMaxSeconds * 1000,
      revokedAt: null,
      revokedReason: null,
    };
    const refreshToken = randomBytes(32).toString('base64url');
    await this.db.transaction(async (tx) => {
      await tx.getRepository(SessionEntity).insert(session);
      await tx.getRepository(RefreshTokenEntity).insert(this.tokenRecord(session, refreshToken, now));
    });
    return { session, refreshToken };
  }

  /** Exchanges a refresh token for a new one; `reused` when it had already been exchanged (session revoked). */
  async rotate(refreshToken: string): Promise<RotateResult> {
    const invalid = new UnauthorizedError('invalid_token', 'the refresh token is not valid');
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const tokens = tx.getRepository(RefreshTokenEntity);
      const sessions = tx.getRepository(SessionEntity);
      const record = await tokens.findOneBy({ tokenHash: sha256Hex(refreshToken) });
      if (record === null) throw invalid;
      const session = await sessions.findOneBy({ id: record.sessionId });
      if (session === null || session.revokedAt !== null) throw invalid;
      if (record.usedAt !== null) {
        await sessions.update({ id: session.id }, { revokedAt: now, revokedReason: 'refresh_reuse' });
        return { kind: 'reused', session } as const;
      }
      if (record.expiresAt <= now || session.expiresAt <= now) throw invalid;
      const claimed = await tokens.update({ tokenHash: record.tokenHash, usedAt: IsNull() }, { usedAt: now });
      if (claimed.affected !== 1) throw invalid;
      const next = randomBytes(32).toString('base64url');
      await tokens.insert(this.tokenRecord(session, next, now));
      return { kind: 'rotated', session, refreshToken: next } as const;
    });
  }

  /** The live session a refresh token belongs to, used or not (logout from a browser). */
  async findByRefreshToken(refreshToken: string): Promise<SessionRecord | null> {
    const record = await this.db
      .getRepository(RefreshTokenEntity)
      .findOneBy({ tokenHash: sha256Hex(refreshToken) });
    return record === null ? null : this.find(record.sessionId);
  }

  async find(sessionId: string): Promise<SessionRecord | null> {
    return this.db.getRepository(SessionEntity).findOneBy({ id: sessionId });
  }

  /** True while the session is neither revoked nor past its maximum life. */
  async isActive(sessionId: string): Promise<boolean> {
    const session = await this.find(sessionId);
    return session !== null && session.revokedAt === null && session.expiresAt > this.clock.now();
  }

  async revoke(sessionId: string, reason: string): Promise<void> {
    await this.db
      .getRepository(SessionEntity)
      .update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: this.clock.now(), revokedReason: reason });
  }

  /** Ends every session of a user at once (disabling, 2FA reset, password change). */
  async revokeAllForUser(userId: string, reason: string): Promise<number> {
    const result = await this.db
      .getRepository(SessionEntity)
      .update({ userId, revokedAt: IsNull() }, { revokedAt: this.clock.now(), revokedReason: reason });
    return result.affected ?? 0;
  }

  private tokenRecord(session: SessionRecord, token: string, now: number) {
    return {
      tokenHash: sha256Hex(token),
      sessionId: session.id,
      expiresAt: Math.min(now + this.lifetimes.refreshSeconds * 1000, session.expiresAt),
      usedAt: null,
    };
  }
}
