/**
 * The safety code participants compare out of band (read aloud, or shown side by side) to detect a delivery
 * service that split the group or inserted a member: equal codes mean equal group states.
 *
 * Input: the epoch authenticator (RFC 9420 §8.7, `DeriveSecret(epoch_secret, "authentication")`), which every
 * member of an epoch derives identically and which depends on the whole group state (group id, epoch, tree
 * hash, transcript) through the key schedule (§8). Derivation:
 *
 *   T    = HMAC-SHA-256(key = epoch_authenticator, data = "Conclave 1.0 Safety Code")
 *   g[i] = uint40_big_endian(T[5i .. 5i+5]) mod 100000,   i = 0 … 4
 *   code = the five g[i] written as 5 decimal digits each, separated by spaces
 *
 * 25 digits ≈ 83 bits. The HMAC step separates the displayed value from any other use of the authenticator,
 * and makes the code independent of the MLS suite's hash size. The modulo bias is below 2^-23 per group.
 */
import { bufferSource, utf8 } from './bytes';

export const SAFETY_CODE_LABEL = 'Conclave 1.0 Safety Code';
export const SAFETY_CODE_GROUPS = 5;
const DIGITS_PER_GROUP = 5;
const BYTES_PER_GROUP = 5;
const GROUP_MODULUS = 10 ** DIGITS_PER_GROUP;

/** "ddddd ddddd ddddd ddddd ddddd" from an epoch authenticator. */
export async function safetyCodeFromEpochAuthenticator(epochAuthenticator: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    bufferSource(epochAuthenticator),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const t = new Uint8Array(await crypto.subtle.sign('HMAC', key, bufferSource(utf8(SAFETY_CODE_LABEL))));
  const groups: string[] = [];
  for (let i = 0; i < SAFETY_CODE_GROUPS; i++) {
    let value = 0;
    for (const byte of t.subarray(i * BYTES_PER_GROUP, (i + 1) * BYTES_PER_GROUP)) value = value * 256 + byte; // < 2^40: exact
    groups.push(String(value % GROUP_MODULUS).padStart(DIGITS_PER_GROUP, '0'));
  }
  t.fill(0);
  return groups.join(' ');
}
