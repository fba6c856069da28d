import { parseDN } from 'ldapjs';
import type { Role } from '@conclave/protocol';
import type { AuditSink } from '@conclave/server-kit';
import type { LdapConfig } from '../config';
import { provisionExternalUser } from '../accounts/external-users';
import type { Candidate, CredentialSource, SourceResult } from '../login/credential-source';
import type { UserStore } from '../storage/user-store';
import type { Directory, DirectoryUser } from './directory';

/** Compares DNs as the directory does: parsed and re-serialised (RFC 4514), case-insensitively. */
export function normaliseDn(dn: string): string {
  try {
    return parseDN(dn).toString().toLowerCase();
  } catch {
    return dn.toLowerCase();
  }
}

/** Conclave roles of a directory user: the default roles plus those mapped from each of their groups. */
export function mapGroupsToRoles(
  groups: readonly string[],
  config: Pick<LdapConfig, 'roleMap' | 'defaultRoles'>,
): Role[] {
  const map = new Map(Object.entries(config.roleMap).map(([dn, roles]) => [normaliseDn(dn), roles]));
  const roles = new Set<Role>(config.defaultRoles);
  for (const group of groups) for (const role of map.get(normaliseDn(group)) ?? []) roles.add(role);
  return [...roles];
}

/**
 * Directory sign-in: search with the service account, bind as the user, keep a minimal local profile keyed on
 * the entry's stable identity and named as the entry names the person.
 */
export class LdapSource implements CredentialSource {
  readonly name = 'ldap';

  constructor(
    private readonly directory: Directory,
    private readonly users: UserStore,
    private readonly config: LdapConfig,
    private readonly audit: AuditSink,
  ) {}

  async find(username: string): Promise<Candidate | null> {
    const person = await this.directory.findUser(username);
    if (person === null) return null;
    return { canonicalName: person.username, verify: (password) => this.verify(person, password) };
  }

  private async verify(person: DirectoryUser, password: string): Promise<SourceResult> {
    if (password.length === 0) return { kind: 'rejected', reason: 'empty_password' };
    if (!(await this.directory.verifyPassword(person.dn, password)))
      return { kind: 'rejected', reason: 'invalid_password' };
    // Display name, groups and roles are refreshed from the directory at every sign-in; nothing else is kept.
    const result = await provisionExternalUser(this.users, this.audit, {
      source: 'ldap',
      externalId: person.id,
      username: person.username,
      displayName: person.displayName,
      groups: person.groups,
      roles: mapGroupsToRoles(person.groups, this.config),
      formerIds: [person.dn],
    });
    if (result.kind === 'refused') return { kind: 'rejected', reason: result.reason };
    const { user } = result;
    if (user.disabled) return { kind: 'rejected', reason: 'disabled', userId: user.id };
    return { kind: 'accepted', user, amr: 'ldap' };
  }
}
