import type { PasswordHasher } from '../credentials/password-hasher';
import type { UserStore } from '../storage/user-store';
import type { Candidate, CredentialSource, SourceResult } from './credential-source';

/** Local accounts: argon2id hashes in the service's database. */
export class LocalSource implements CredentialSource {
  readonly name = 'local';

  constructor(
    private readonly users: UserStore,
    private readonly hasher: PasswordHasher,
  ) {}

  async find(username: string): Promise<Candidate | null> {
    const user = await this.users.findByUsername('local', username);
    if (user === null || user.passwordHash === null) return null;
    const hash = user.passwordHash;
    return {
      canonicalName: user.username,
      verify: async (password): Promise<SourceResult> => {
        // The hash is checked for disabled accounts too, so they take as long to refuse as any other.
        const ok = await this.hasher.verify(hash, password);
        if (!ok) return { kind: 'rejected', reason: 'invalid_password', userId: user.id };
        if (user.disabled) return { kind: 'rejected', reason: 'disabled', userId: user.id };
        return { kind: 'accepted', user, amr: 'pwd' };
      },
    };
  }
}
