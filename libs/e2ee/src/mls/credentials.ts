/**
 * Who is who in a Conclave MLS group, and the Authentication Service check ts-mls runs on every credential it
 * meets (RFC 9420 §5.3.1: joining, Add proposals, commits' UpdatePath leaves, the `external_senders` extension).
 *
 * Identities are basic credentials (RFC 9420 §5.3): the UTF-8 bytes of
 * - `user:<userId>` for a participant, `<userId>` being the authenticated user of its join ticket (the ticket's
 *   `sub`, same alphabet as `@conclave/protocol`'s `idSchema`). Two devices of one user show the same identity;
 *   their signature keys differ.
 * - `conclave:delivery-service` for the SFU's external sender (RFC 9420 §12.1.8.1).
 * A basic credential is a bare claim: what makes it trustworthy is the app's `authorizeMember` hook, which
 * compares (user, signature key) with what the delivery service announced after checking the join ticket.
 */
import type { AuthenticationService } from 'ts-mls/authenticationService.js';
import type { Credential } from 'ts-mls/credential.js';
import { bytesEqual, fromUtf8, utf8 } from './bytes';
import { MlsError } from './errors';

export const MEMBER_IDENTITY_PREFIX = 'user:';
export const DELIVERY_SERVICE_IDENTITY = 'conclave:delivery-service';

/** Same rule as `@conclave/protocol`'s `idSchema` (the join ticket's `sub`). */
const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** What a member's credential claims, handed to the app for its check. */
export interface MemberClaim {
  readonly userId: string;
  /** The leaf's signature public key (the one that signs the member's commits and messages). */
  readonly signaturePublicKey: Uint8Array;
}

/**
 * The app's check of a member credential against the delivery service's announcements: true only if the
 * delivery service announced `userId` with exactly this signature key for this room. Called for every
 * member credential the group shows this client (existing members when joining, each newly added member).
 */
export type MemberAuthorizer = (claim: MemberClaim) => boolean | Promise<boolean>;

export function isWellFormedUserId(userId: string): boolean {
  return USER_ID.test(userId);
}

export function memberCredential(userId: string): Credential {
  if (!isWellFormedUserId(userId))
    throw new MlsError('invalid_argument', `'${userId}' is not a well-formed user id`);
  return { credentialType: 'basic', identity: utf8(MEMBER_IDENTITY_PREFIX + userId) };
}

export function deliveryServiceCredential(): Credential {
  return { credentialType: 'basic', identity: utf8(DELIVERY_SERVICE_IDENTITY) };
}

/** The user id a credential names, or undefined if it is not a basic credential of a well-formed member. */
export function userIdOf(credential: Credential): string | undefined {
  if (credential.credentialType !== 'basic') return undefined;
  const text = fromUtf8(credential.identity);
  if (text === undefined || !text.startsWith(MEMBER_IDENTITY_PREFIX)) return undefined;
  const userId = text.slice(MEMBER_IDENTITY_PREFIX.length);
  return isWellFormedUserId(userId) ? userId : undefined;
}

function isDeliveryService(credential: Credential): boolean {
  return credential.credentialType === 'basic' && fromUtf8(credential.identity) === DELIVERY_SERVICE_IDENTITY;
}

/** Our Authentication Service, plus the reason of its last refusal (to type the library's generic error). */
export interface ConclaveAuthenticationService extends AuthenticationService {
  /** Why the last refused credential was refused; cleared by `takeRefusal()`. */
  takeRefusal(): string | undefined;
}

/**
 * Replaces ts-mls's default (which accepts every credential). Accepts only:
 * - the delivery service's credential with exactly the signature key this client was given for it;
 * - this client's own credential and key;
 * - a basic `user:<userId>` credential with a well-formed user id that `authorizeMember` accepts.
 */
export function conclaveAuthenticationService(options: {
  deliveryServiceKey: Uint8Array;
  self: MemberClaim;
  authorizeMember: MemberAuthorizer;
}): ConclaveAuthenticationService {
  let refusal: string | undefined;
  const refuse = (reason: string): false => {
    refusal = reason;
    return false;
  };

  return {
    async validateCredential(credential, signaturePublicKey) {
      if (isDeliveryService(credential)) {
        return (
          bytesEqual(signaturePublicKey, options.deliveryServiceKey) ||
          refuse('unexpected delivery-service key')
        );
      }
      const userId = userIdOf(credential);
      if (userId === undefined) return refuse('not a basic credential naming a well-formed user id');
      if (userId === options.self.userId && bytesEqual(signaturePublicKey, options.self.signaturePublicKey))
        return true;
      let authorized = false;
      try {
        authorized =
          (await options.authorizeMember({
            userId,
            signaturePublicKey: new Uint8Array(signaturePublicKey),
          })) === true;
      } catch {
        authorized = false; // a failing hook refuses
      }
      return (
        authorized ||
        refuse(`user '${userId}' with this signature key was not announced by the delivery service`)
      );
    },
    takeRefusal() {
      const reason = refusal;
      refusal = undefined;
      return reason;
    },
  };
}
