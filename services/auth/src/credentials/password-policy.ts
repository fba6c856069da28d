import { BadRequestError } from '@conclave/server-kit';

export interface PasswordPolicyOptions {
  minLength: number;
  minEntropyBits: number;
}

/** Sizes of the character classes: 26 + 26 + 10 + the 33 printable ASCII others (space and punctuation). */
const CLASSES: { pattern: RegExp; size: number }[] = [
  { pattern: /[a-z]/, size: 26 },
  { pattern: /[A-Z]/, size: 26 },
  { pattern: /[0-9]/, size: 10 },
  { pattern: /[^a-zA-Z0-9]/, size: 33 },
];

/**
 * Entropy of a password as the CNIL estimates it: length × log2(size of the alphabet drawn from). The CNIL's
 * own example for 80 bits, 12 characters from the four classes, comes to 79 by this exact formula.
 */
export function estimateEntropyBits(password: string): number {
  const alphabet = CLASSES.filter((c) => c.pattern.test(password)).reduce((sum, c) => sum + c.size, 0);
  const length = [...password].length;
  return alphabet === 0 ? 0 : Math.round(length * Math.log2(alphabet));
}

/**
 * The password policy (CNIL deliberation 2022-100): a minimum length and entropy, all four character classes
 * welcome but none forced beyond what the entropy needs, and no password that contains the user name.
 */
export class PasswordPolicy {
  constructor(private readonly options: PasswordPolicyOptions) {}

  /** Throws `weak_password` with the reason when the password does not meet the policy. */
  check(password: string, username: string): void {
    const problem = this.problem(password, username);
    if (problem !== undefined) throw new BadRequestError('weak_password', problem);
  }

  private problem(password: string, username: string): string | undefined {
    if ([...password].length < this.options.minLength)
      return `use at least ${this.options.minLength} characters`;
    if (estimateEntropyBits(password) < this.options.minEntropyBits) {
      return 'too predictable: make it longer or mix lower case, upper case, digits and special characters';
    }
    const name = username.normalize('NFC').toLowerCase();
    if (name.length >= 3 && password.normalize('NFC').toLowerCase().includes(name))
      return 'must not contain the user name';
    if (/^(.)\1+$/u.test(password)) return 'must not repeat one character';
    return undefined;
  }
}
