import { parseDN } from 'ldapjs';
import type { Role } from '@conclave/protocol';
import type { AuditSink } from '@conclave/server-kit';
import type { LdapConfig } from '../config';
import type { CredentialSource, SourceResult } from '../login/credential-source';
import { formatGroups, formatRoles, type UserStore } from '../storage/user-store';
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

/** Directory sign-in: search with the service account, bind as the user, keep a minimal local profile. */
export class LdapSource implements CredentialSource {
  readonly name = 'ldap';

  constructor(
    private readonly directory: Directory,
    private readonly users: UserStore,
    private readonly config: LdapConfig,
    private readonly audit: AuditSink,
  ) {}

  async authenticate(username: string, password: string): Promise<SourceResult> {
    if (password.length === 0) return { kind: 'rejected', reason: 'empty_password' };
    const person = await this.directory.findUser(username);
    if (person === null) return { kind: 'unknown' };
    if (!(await this.directory.verifyPassword(person.dn, password)))
      return { kind: 'rejected', reason: 'invalid_password' };
    const user = await this.upsertProfile(username, person);
    if (user.disabled) return { kind: 'rejected', reason: 'disabled', userId: user.id };
    return { kind: 'accepted', user, amr: 'ldap' };
  }

  /** Display name and roles are refreshed from the directory at every sign-in; nothing else is kept. */
  private async upsertProfile(username: string, person: DirectoryUser) {
    const roles = mapGroupsToRoles(person.groups, this.config);
    const existing = await this.users.findByUsername('ldap', username);
    if (existing === null) {
      return this.users.create({
        source: 'ldap',
        username,
        displayName: person.displayName,
        roles,
        groups: person.groups,
        externalId: person.dn,
      });
    }
    const changes = {
      displayName: person.displayName,
      roles: formatRoles(roles),
      groups: formatGroups(person.groups),
      externalId: person.dn,
    };
    await this.users.update(existing.id, changes);
    if (changes.roles !== existing.roles) {
      await this.audit.record({
        action: 'auth.user.roles',
        outcome: 'success',
        actor: 'directory',
        target: existing.id,
        details: { before: existing.roles, after: changes.roles },
      });
    }
    return { ...existing, ...changes };
  }
}
