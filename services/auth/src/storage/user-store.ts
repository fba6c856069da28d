import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { ROLES, type Role } from '@conclave/protocol';
import type { Clock } from '@conclave/server-kit';
import {
  RecoveryCodeEntity,
  UserEntity,
  type RecoveryCodeRecord,
  type UserRecord,
  type UserSource,
} from './entities';

/** The key a user name is looked up by: Unicode NFC, lower case (names are case-insensitive). */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}

export function parseRoles(text: string): Role[] {
  return text.split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r));
}

export function formatRoles(roles: readonly Role[]): string {
  return ROLES.filter((r) => roles.includes(r)).join(',');
}

/** At most this many groups are kept per user and carried in tokens. */
export const MAX_GROUPS = 64;

/** Groups as stored: a JSON array of distinct names, each at most 256 characters. */
export function formatGroups(groups: readonly string[]): string {
  return JSON.stringify(
    [...new Set(groups.filter((g) => g.length > 0 && g.length <= 256))].sort().slice(0, MAX_GROUPS),
  );
}

export function parseGroups(text: string | null | undefined): string[] {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}

export interface NewUser {
  source: UserSource;
  username: string;
  displayName: string;
  roles: Role[];
  groups?: readonly string[];
  externalId?: string | null;
  passwordHash?: string | null;
  mustChangePassword?: boolean;
}

/** Users and their recovery codes. */
export class UserStore {
  private readonly users: Repository<UserRecord>;
  private readonly recoveryCodes: Repository<RecoveryCodeRecord>;

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {
    this.users = db.getRepository(UserEntity);
    this.recoveryCodes = db.getRepository(RecoveryCodeEntity);
  }

  findByUsername(source: UserSource, username: string): Promise<UserRecord | null> {
    return this.users.findOneBy({ source, usernameKey: usernameKey(username) });
  }

  /** The profile a directory or identity provider's stable identity designates. */
  findByExternalId(source: UserSource, externalId: string): Promise<UserRecord | null> {
    return this.users.findOneBy({ source, externalId });
  }

  /** Enabled people whose sign-in or display name contains `text` (case-insensitive), by display name. */
  searchByName(text: string, limit: number): Promise<UserRecord[]> {
    // LIKE's own wildcards in the text match themselves (ESCAPE is the same on SQLite and PostgreSQL).
    const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.users
      .createQueryBuilder('u')
      .where('u.disabled = :disabled', { disabled: false })
      .andWhere(
        "(u.usernameKey LIKE :pattern ESCAPE '\\' OR LOWER(u.displayName) LIKE :pattern ESCAPE '\\')",
        { pattern },
      )
      .orderBy('u.displayName')
      .limit(limit)
      .getMany();
  }

  findById(id: string): Promise<UserRecord | null> {
    return this.users.findOneBy({ id });
  }

  async create(input: NewUser): Promise<UserRecord> {
    const now = this.clock.now();
    const record: UserRecord = {
      id: randomUUID(),
      source: input.source,
      usernameKey: usernameKey(input.username),
      username: input.username,
      displayName: input.displayName,
      roles: formatRoles(input.roles),
      groups: formatGroups(input.groups ?? []),
      externalId: input.externalId ?? null,
      passwordHash: input.passwordHash ?? null,
      mustChangePassword: input.mustChangePassword ?? false,
      totpSecret: null,
      totpPendingSecret: null,
      totpLastStep: null,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    await this.users.insert(record);
    return record;
  }

  async update(id: string, changes: Partial<Omit<UserRecord, 'id' | 'createdAt'>>): Promise<void> {
    await this.users.update({ id }, { ...changes, updatedAt: this.clock.now() });
  }

  /**
   * Records `step` as the last accepted TOTP step unless an equal or later one already was: the conditional
   * update makes two concurrent uses of one code succeed at most once.
   */
  async claimTotpStep(id: string, step: number, previous: number | null): Promise<boolean> {
    const query = this.db
      .createQueryBuilder()
      .update(UserEntity)
      .set({ totpLastStep: step })
      .where('id = :id', { id });
    if (previous === null) query.andWhere('totp_last_step IS NULL');
    else query.andWhere('totp_last_step = :previous', { previous });
    const result = await query.execute();
    return result.affected === 1;
  }

  async replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.getRepository(RecoveryCodeEntity).delete({ userId });
      await tx
        .getRepository(RecoveryCodeEntity)
        .insert(codeHashes.map((codeHash) => ({ codeHash, userId, usedAt: null })));
    });
  }

  async deleteRecoveryCodes(userId: string): Promise<void> {
    await this.recoveryCodes.delete({ userId });
  }

  /** Marks an unused recovery code of this user as used; false when there is none such. */
  async consumeRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const result = await this.db
      .createQueryBuilder()
      .update(RecoveryCodeEntity)
      .set({ usedAt: this.clock.now() })
      .where('code_hash = :codeHash AND user_id = :userId AND used_at IS NULL', { codeHash, userId })
      .execute();
    return result.affected === 1;
  }

  async unusedRecoveryCodes(userId: string): Promise<number> {
    return this.recoveryCodes.countBy({ userId, usedAt: null as never });
  }
}
