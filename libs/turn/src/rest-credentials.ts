import { createHmac } from 'node:crypto';
import { TURN_CREDENTIAL_MAX_LIFETIME_SECONDS } from './config';

/** A TURN REST credential (draft-uberti-behave-turn-rest-00 §2.2, as coturn's `use-auth-secret` checks it). */
export interface TurnCredential {
  /** `expiry:userId`, expiry in Unix seconds. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
  /** Unix milliseconds after which coturn refuses it. */
  expiresAt: number;
}

export interface TurnCredentialInput {
  /** The signing secret (the first of the configured ones). */
  secret: string;
  /** The signed-in user the credential is bound to (coturn counts its quota per user). */
  userId: string;
  /** Now, Unix milliseconds. */
  now: number;
  /** When the credential must stop working (the end of the participant's session), Unix milliseconds. */
  expiresAt: number;
}

/**
 * The credential room control hands an admitted participant: bound to the user (their id is in the signed
 * username) and expiring with the session, never later than TURN_CREDENTIAL_MAX_LIFETIME_SECONDS from now.
 */
export function issueTurnCredential(input: TurnCredentialInput): TurnCredential {
  if (!/^[\x21-\x7e]{1,128}$/.test(input.userId))
    throw new Error('the user id must be 1-128 printable ASCII characters');
  if (input.secret.length < 32) throw new Error('the TURN secret is too short');
  const expirySeconds = Math.floor(
    Math.min(input.expiresAt, input.now + TURN_CREDENTIAL_MAX_LIFETIME_SECONDS * 1000) / 1000,
  );
  if (expirySeconds * 1000 <= input.now) throw new Error('the credential would already be expired');
  const username = `${expirySeconds}:${input.userId}`;
  return { username, credential: turnRestPassword(input.secret, username), expiresAt: expirySeconds * 1000 };
}

/** base64(HMAC-SHA1(secret, username)): the password coturn derives for a TURN REST username. */
export function turnRestPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}
