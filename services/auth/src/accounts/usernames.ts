import { MAX_USERNAME_LENGTH } from '@conclave/protocol';

/**
 * Sign-in names: no leading or trailing whitespace, no control or format characters, and no whitespace inside
 * but plain spaces. Directories ignore "insignificant" spaces (RFC 4518 §2.6.1), so a name that differs only by
 * them would reach the same person under another key: such names are refused before anything else.
 */
const SIGN_IN_NAME = /^[^\s\p{Z}\p{C}](?:(?:[^\s\p{Z}\p{C}]| )*[^\s\p{Z}\p{C}])?$/u;

/** True when `name` may be used to sign in or be given to a profile. */
export function isAcceptableUsername(name: string): boolean {
  return name.length <= MAX_USERNAME_LENGTH && SIGN_IN_NAME.test(name);
}

/**
 * The name failed sign-ins are counted against: compatibility-normalised (NFKC), lower case, runs of spaces
 * made one, as a directory's caseIgnoreMatch compares (RFC 4518 §2); the same for every spelling the directory
 * takes for one person.
 */
export function throttleName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/ {2,}/g, ' ').trim();
}
