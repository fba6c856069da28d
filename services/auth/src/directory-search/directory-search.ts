import {
  DIRECTORY_SEARCH_MAX_RESULTS,
  type DirectorySearchEntry,
  type DirectorySearchQuery,
} from '@conclave/protocol';
import { UnavailableError, type AuditSink } from '@conclave/server-kit';
import { provisionExternalUser } from '../accounts/external-users';
import type { LdapConfig } from '../config';
import type { Directory, DirectoryPerson } from '../ldap/directory';
import type { AuthMetrics } from '../metrics';
import type { UserStore } from '../storage/user-store';
import type { SearchRate } from './search-rate';

/**
 * Room control's group names: the shape its schedule request accepts (`libs/protocol` rooms `groupSchema`).
 * A directory group whose DN does not fit could not be invited, so it is not offered.
 */
const INVITABLE_GROUP = /^[A-Za-z0-9 ._:@=,-]{1,128}$/;

export interface DirectorySearchDeps {
  users: UserStore;
  /** Present when LDAP is configured. */
  directory: Directory | undefined;
  ldap: LdapConfig | undefined;
  audit: AuditSink;
  metrics: AuthMetrics;
  rate: SearchRate;
}

/**
 * The directory search behind the invitation picker: local accounts and the LDAP directory's people and groups,
 * display names only. Not audited (it changes nothing a person owns) but metered and rate limited per person.
 */
export class DirectorySearch {
  constructor(private readonly deps: DirectorySearchDeps) {}

  async search(userId: string, query: DirectorySearchQuery): Promise<DirectorySearchEntry[]> {
    const { metrics, rate } = this.deps;
    try {
      rate.take(userId);
    } catch (error) {
      metrics.directorySearches.inc({ outcome: 'rate_limited' });
      throw error;
    }
    try {
      const limit = DIRECTORY_SEARCH_MAX_RESULTS;
      const people = query.kind === 'group' ? [] : await this.people(query.q, limit);
      const groups = query.kind === 'user' ? [] : await this.groups(query.q, limit - people.length);
      metrics.directorySearches.inc({ outcome: 'ok' });
      return [...people, ...groups].slice(0, limit);
    } catch (error) {
      metrics.directorySearches.inc({ outcome: error instanceof UnavailableError ? 'unavailable' : 'error' });
      throw error;
    }
  }

  private async people(text: string, limit: number): Promise<DirectorySearchEntry[]> {
    const found = new Map<string, DirectorySearchEntry>();
    for (const user of await this.deps.users.searchByName(text, limit))
      found.set(user.id, { kind: 'user', id: user.id, displayName: user.displayName });
    if (this.deps.directory !== undefined && found.size < limit) {
      for (const person of await this.deps.directory.searchPeople(text, limit)) {
        if (found.size >= limit) break;
        const id = await this.profileOf(person);
        if (id !== undefined && !found.has(id))
          found.set(id, { kind: 'user', id, displayName: person.displayName });
      }
    }
    return [...found.values()];
  }

  private async groups(text: string, limit: number): Promise<DirectorySearchEntry[]> {
    if (this.deps.directory === undefined || limit <= 0) return [];
    const groups = await this.deps.directory.searchGroups(text, limit);
    return groups
      .filter((group) => INVITABLE_GROUP.test(group.dn))
      .map((group) => ({ kind: 'group', id: group.dn, displayName: group.displayName }));
  }

  /**
   * The local id of a directory person, which is what an invitation names. A person who has never signed in gets
   * their minimal profile now (name only, default roles), keyed on the entry's stable identity like a sign-in
   * would: their first sign-in finds it and fills in groups and roles. Disabled or clashing names are not offered.
   */
  private async profileOf(person: DirectoryPerson): Promise<string | undefined> {
    const existing = await this.deps.users.findByExternalId('ldap', person.id);
    if (existing !== null) return existing.disabled ? undefined : existing.id;
    const result = await provisionExternalUser(this.deps.users, this.deps.audit, {
      source: 'ldap',
      externalId: person.id,
      username: person.username,
      displayName: person.displayName,
      groups: [],
      roles: this.deps.ldap?.defaultRoles ?? ['member'],
    });
    return result.kind === 'provisioned' ? result.user.id : undefined;
  }
}
