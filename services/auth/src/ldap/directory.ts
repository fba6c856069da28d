/** A person found in the directory. */
export interface DirectoryUser {
  /** The entry's stable identity (`idAttribute`: entryUUID, objectGUID in hex), else its DN as the server wrote it. */
  id: string;
  /** The sign-in name as the entry holds it (`usernameAttribute`), whatever spelling the search matched. */
  username: string;
  dn: string;
  displayName: string;
  /** DNs of the groups the person belongs to (direct, or nested when configured). */
  groups: string[];
}

/**
 * What the service needs from a directory, behind our own interface so the LDAP library can be swapped
 * (ldapjs is no longer maintained upstream). Connectivity problems throw `UnavailableError('directory_unavailable')`.
 */
export interface Directory {
  /** Finds one user by sign-in name with the service account; null when none or more than one match. */
  findUser(username: string): Promise<DirectoryUser | null>;
  /** Binds as the user; false when the directory refuses the password. Never called with an empty password. */
  verifyPassword(dn: string, password: string): Promise<boolean>;
  /** People whose sign-in or display name contains `text` (at most `limit`), with the service account. */
  searchPeople(text: string, limit: number): Promise<DirectoryPerson[]>;
  /** Groups whose name contains `text` (at most `limit`); none when no group base is configured. */
  searchGroups(text: string, limit: number): Promise<DirectoryGroup[]>;
  close(): Promise<void>;
}

/** A person a directory search found. */
export interface DirectoryPerson {
  /** As `DirectoryUser.id`: the stable identity a local profile is keyed on. */
  id: string;
  username: string;
  displayName: string;
}

/** A group a directory search found. */
export interface DirectoryGroup {
  /** The group's DN as the server wrote it: what the access token's `groups` claim carries. */
  dn: string;
  displayName: string;
}
