import type { Role } from '@conclave/protocol';
import type { AuditSink } from '@conclave/server-kit';
import type { UserRecord } from '../storage/entities';
import { formatGroups, formatRoles, usernameKey, type UserStore } from '../storage/user-store';
import { isAcceptableUsername } from './usernames';

/** A person as a directory or an identity provider vouches for them. */
export interface ExternalIdentity {
  source: 'ldap' | 'oidc' | 'saml';
  /** The source's stable identity of the person (entryUUID/objectGUID, `iss|sub`, `idp|NameID`). */
  externalId: string;
  /** The sign-in name as the source stores it (read back from the entry or the assertion). */
  username: string;
  displayName: string;
  groups: readonly string[];
  roles: readonly Role[];
  /**
   * Former identities of this person (the DN older versions keyed directory profiles on): a profile of the same
   * name holding one of them is taken over rather than refused.
   */
  formerIds?: readonly string[];
}

export type ProvisionResult =
  | { kind: 'provisioned'; user: UserRecord }
  /** `bad_username`: the source's name breaks the sign-in name rules; `name_taken`: another identity holds it. */
  | { kind: 'refused'; reason: 'bad_username' | 'name_taken' };

/**
 * The one mapping from an external identity to the minimal local profile, for LDAP, OIDC and SAML alike: the
 * profile is found by the source's stable identity (never by the name as typed), takes the source's canonical
 * name, display name, groups and roles at every sign-in, and role changes are audited.
 */
export async function provisionExternalUser(
  users: UserStore,
  audit: AuditSink,
  identity: ExternalIdentity,
): Promise<ProvisionResult> {
  const { source, externalId, username } = identity;
  if (!isAcceptableUsername(username)) return { kind: 'refused', reason: 'bad_username' };
  const holder = await users.findByUsername(source, username);
  let existing = await users.findByExternalId(source, externalId);
  if (existing === null && holder !== null) {
    if (holder.externalId === null || !(identity.formerIds ?? []).includes(holder.externalId))
      return { kind: 'refused', reason: 'name_taken' };
    existing = holder;
  } else if (existing !== null && holder !== null && holder.id !== existing.id) {
    return { kind: 'refused', reason: 'name_taken' };
  }
  const roles = formatRoles(identity.roles);
  if (existing === null) {
    const user = await users.create({
      source,
      username,
      displayName: identity.displayName,
      roles: [...identity.roles],
      groups: identity.groups,
      externalId,
    });
    return { kind: 'provisioned', user };
  }
  const changes = {
    username,
    usernameKey: usernameKey(username),
    displayName: identity.displayName,
    roles,
    groups: formatGroups(identity.groups),
    externalId,
  };
  await users.update(existing.id, changes);
  if (roles !== existing.roles) {
    await audit.record({
      action: 'auth.user.roles',
      outcome: 'success',
      actor: source === 'ldap' ? 'directory' : 'identity-provider',
      target: existing.id,
      details: { before: existing.roles, after: roles },
    });
  }
  return { kind: 'provisioned', user: { ...existing, ...changes } };
}
