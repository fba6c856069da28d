import { In, LessThan, type DataSource } from 'typeorm';
import type { AuditSink, Clock } from '@conclave/server-kit';
import { UserEntity, type UserRecord } from '../storage/entities';

const DAY_MS = 86_400_000;
/** Profiles deleted per pass at most: a purge never holds the database for long. */
const BATCH = 500;

/**
 * Retention of inactive accounts' profiles (data minimisation, docs/privacy.md): the minimal local profile of a
 * directory or single-sign-on user (name, groups, roles) is deleted once the person has not signed in for the
 * configured time; it is re-created from the directory or the identity provider at the next sign-in. Sessions,
 * tokens and recovery codes go with it (foreign keys cascade). Local accounts are the administrators' to manage.
 */
export class ProfileRetention {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditSink,
    private readonly clock: Clock,
    private readonly inactiveDays: number,
  ) {}

  /** Deletes the profiles inactive for longer than the retention; records the purge in the audit trail. */
  async purge(): Promise<number> {
    const cutoff = this.clock.now() - this.inactiveDays * DAY_MS;
    const users = this.db.getRepository<UserRecord>(UserEntity);
    let deleted = 0;
    for (;;) {
      const expired = await users.find({
        select: { id: true },
        where: { source: In(['ldap', 'oidc', 'saml']), updatedAt: LessThan(cutoff) },
        take: BATCH,
      });
      if (expired.length === 0) break;
      await users.delete({ id: In(expired.map((u) => u.id)) });
      deleted += expired.length;
      if (expired.length < BATCH) break;
    }
    await this.audit.record({
      action: 'auth.retention.purge',
      outcome: 'success',
      actor: 'system',
      details: { dataClass: 'inactive-profiles', deleted, olderThanDays: this.inactiveDays },
    });
    return deleted;
  }
}
