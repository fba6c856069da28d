/**
 * Who is who in a Conclave MLS group, and the Authentication Service check ts-mls runs on every credential it
 * meets (RFC 9420 §5.3.1: joining, Add proposals, commits' UpdatePath leaves, the `external_senders` extension).
 *
 * Identities are basic credentials (RFC 9420 §5.3) whose identity is one of
 * - room control's signed member statement (member-statement.ts): a compact JWS binding meeting, participant
 *   session, user, display name and the leaf's signature key. This is what the product client uses: its
 *   `authorizeMember` hook is `MemberStatementVerifier.authorizer()`, so the delivery service alone cannot add
 *   anyone. Two devices of one user carry two statements (two sessions, two signature keys).
 * - the UTF-8 bytes of `user:<userId>`, a bare claim, for tests of the MLS machinery alone: only an
 *   `authorizeMember` hook that trusts some other announcement accepts it.
 * - `conclave:delivery-service` for the SFU's external sender (RFC 9420 §12.1.8.1).
 * Whatever the form, a credential is accepted only if the app's `authorizeMember` hook accepts it.
 */
import type { AuthenticationService } from 'ts-mls/authenticationService.js';
import type { Credential } from 'ts-mls/credential.js';
import { bytesEqual, fromUtf8, utf8 } from './bytes';
import { MlsError } from './errors';
import { readMemberStatement } from './member-statement';

type BasicCredential = Extract<Credential, { credentialType: 'basic' }>;

export const MEMBER_IDENTITY_PREFIX = 'user:';
export const DELIVERY_SERVICE_IDENTITY = 'conclave:delivery-service';

/** Same rule as `@conclave/protocol`'s `idSchema` (the join ticket's `sub`). */
const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** What a member's credential claims, handed to the app for its check. */
export interface MemberClaim {
  readonly userId: string;
  /** The leaf's signature public key (the one that signs the member's commits and messages). */
  readonly signaturePublicKey: Uint8Array;
  /** The credential's identity bytes (a member statement, or `user:<userId>`). */
  readonly credential: Uint8Array;
  /** True for the KeyPackage of an Add proposal (a member joining now); false for members already in a tree. */
  readonly joining: boolean;
}

/**
 * The app's check of a member credential: true only if an authority the app trusts bound `userId` to exactly
 * this signature key for this meeting (the product: room control's signed statement). Called for every member
 * credential the group shows this client (existing members when joining, each newly added member, leaves of
 * commits' update paths).
 */
export type MemberAuthorizer = (claim: MemberClaim) => boolean | Promise<boolean>;

export function isWellFormedUserId(userId: string): boolean {
  return USER_ID.test(userId);
}

export function memberCredential(userId: string): BasicCredential {
  if (!isWellFormedUserId(userId))
    throw new MlsError('invalid_argument', `'${userId}' is not a well-formed user id`);
  return { credentialType: 'basic', identity: utf8(MEMBER_IDENTITY_PREFIX + userId) };
}

/** A basic credential carrying room control's signed statement (member-statement.ts) as its identity. */
export function statementCredential(statement: Uint8Array): BasicCredential {
  if (readMemberStatement(statement) === undefined)
    throw new MlsError('invalid_argument', 'not a member statement');
  return { credentialType: 'basic', identity: new Uint8Array(statement) };
}

export function deliveryServiceCredential(): Credential {
  return { credentialType: 'basic', identity: utf8(DELIVERY_SERVICE_IDENTITY) };
}

/** The user id a credential names, or undefined if it is not a basic credential of a well-formed member. */
export function userIdOf(credential: Credential): string | undefined {
  if (credential.credentialType !== 'basic') return undefined;
  const statement = readMemberStatement(credential.identity);
  if (statement !== undefined) return statement.userId;
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
  /** `validateCredential` for the KeyPackage of an Add proposal (`joining` in the app's hook). */
  validateJoining(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean>;
}

/**
 * Replaces ts-mls's default (which accepts every credential). Accepts only:
 * - the delivery service's credential with exactly the signature key this client was given for it;
 * - this client's own credential and key;
 * - a basic member credential (statement or `user:<userId>`) naming a well-formed user that `authorizeMember`
 *   accepts.
 */
export function conclaveAuthenticationService(options: {
  deliveryServiceKey: Uint8Array;
  /** This client's own credential identity and signature key. */
  self: { readonly credential: Uint8Array; readonly signaturePublicKey: Uint8Array };
  authorizeMember: MemberAuthorizer;
}): ConclaveAuthenticationService {
  let refusal: string | undefined;
  const refuse = (reason: string): false => {
    refusal = reason;
    return false;
  };

  const validate = async (credential: Credential, signaturePublicKey: Uint8Array, joining: boolean) => {
    if (isDeliveryService(credential)) {
      return (
        bytesEqual(signaturePublicKey, options.deliveryServiceKey) ||
        refuse('unexpected delivery-service key')
      );
    }
    const userId = userIdOf(credential);
    if (userId === undefined) return refuse('not a basic credential naming a well-formed user id');
    if (
      credential.credentialType === 'basic' &&
      bytesEqual(credential.identity, options.self.credential) &&
      bytesEqual(signaturePublicKey, options.self.signaturePublicKey)
    )
      return true;
    let authorized = false;
    try {
      authorized =
        (await options.authorizeMember({
          userId,
          signaturePublicKey: new Uint8Array(signaturePublicKey),
          credential:
            credential.credentialType === 'basic' ? new Uint8Array(credential.identity) : new Uint8Array(0),
          joining,
        })) === true;
    } catch {
      authorized = false; // a failing hook refuses
    }
    return authorized || refuse(`the credential of '${userId}' is not vouched for with this signature key`);
  };

  return {
    validateCredential: (credential, signaturePublicKey) => validate(credential, signaturePublicKey, false),
    validateJoining: (credential, signaturePublicKey) => validate(credential, signaturePublicKey, true),
    takeRefusal() {
      const reason = refusal;
      refusal = undefined;
      return reason;
    },
  };
}
