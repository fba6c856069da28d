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
  close(): Promise<void>;
}
