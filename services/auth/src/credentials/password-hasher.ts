import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated-module compilers cannot inline). */
const ARGON2ID = 2;

export interface Argon2Parameters {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * Password hashing with argon2id (RFC 9106). `verifyAgainstNothing` spends the same time as a real check, so a
 * sign-in for an unknown user cannot be told apart by timing.
 */
export class PasswordHasher {
  /** Made at start, so the first unknown-user sign-in is not slower than the others. */
  private readonly dummyHash: Promise<string>;

  constructor(private readonly parameters: Argon2Parameters) {
    this.dummyHash = this.hash(randomBytes(32).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return hash(password, {
      algorithm: ARGON2ID,
      memoryCost: this.parameters.memoryKiB,
      timeCost: this.parameters.iterations,
      parallelism: this.parameters.parallelism,
    });
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await verify(storedHash, password);
    } catch {
      return false;
    }
  }

  /** Runs a verification against a hash of a random secret; always false. */
  async verifyAgainstNothing(password: string): Promise<false> {
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
