import type { AuthMethod } from '@conclave/protocol';
import type { UserRecord } from '../storage/entities';

/** What one source says about a user name and password. */
export type SourceResult =
  /** The source has no such user: the next source is asked. */
  | { kind: 'unknown' }
  /** The user exists here and the attempt failed; `reason` is for the audit trail only. */
  | { kind: 'rejected'; reason: 'invalid_password' | 'disabled' | 'empty_password'; userId?: string }
  | { kind: 'accepted'; user: UserRecord; amr: AuthMethod };

/** A place people sign in against: local accounts or a directory. */
export interface CredentialSource {
  readonly name: 'local' | 'ldap';
  authenticate(username: string, password: string): Promise<SourceResult>;
}
