import type { AuthMethod } from '@conclave/protocol';
import type { UserRecord } from '../storage/entities';

/** What a source says about a password for a user it knows. */
export type SourceResult =
  /** The attempt failed; `reason` is for the audit trail only. */
  | {
      kind: 'rejected';
      reason: 'invalid_password' | 'disabled' | 'empty_password' | 'bad_username' | 'name_taken';
      userId?: string;
    }
  | { kind: 'accepted'; user: UserRecord; amr: AuthMethod };

/** A user a source found for a sign-in name, before any password is checked. */
export interface Candidate {
  /**
   * The name as the source stores it, whatever spelling found it: failed attempts are counted against it, so
   * every spelling the source takes for one person shares one throttle.
   */
  canonicalName: string;
  verify(password: string): Promise<SourceResult>;
}

/** A place people sign in against: local accounts or a directory. */
export interface CredentialSource {
  readonly name: 'local' | 'ldap';
  /** The user this source knows by that name; null when it has none (the next source is asked). */
  find(username: string): Promise<Candidate | null>;
}
