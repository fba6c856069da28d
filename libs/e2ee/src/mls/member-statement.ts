/**
 * Member credentials signed by room control (`@conclave/protocol` member-credential.ts): the statement that
 * binds (meeting, participant session, user, display name, MLS signature key) and that every member carries as
 * its BasicCredential identity (RFC 9420 §5.3). This module reads statements and verifies them against room
 * control's published keys, with WebCrypto alone (ES256 = ECDSA P-256 + SHA-256, RFC 7518 §3.4).
 *
 * Reading (`readMemberStatement`) does not verify: it is for display and routing of credentials that the
 * Authentication Service already accepted. Accepting a credential takes `MemberStatementVerifier.verify`.
 */
import {
  MEMBER_CREDENTIAL_MAX_LENGTH,
  MEMBER_CREDENTIAL_TYPE,
  memberCredentialClaimsSchema,
  memberCredentialKeySetSchema,
  type MemberCredentialClaims,
} from '@conclave/protocol';
import { bufferSource, bytesEqual, fromUtf8, utf8 } from './bytes';
import type { MemberAuthorizer } from './credentials';
import { MlsError } from './errors';

/** RFC 7518 §3.4: an ES256 signature is R || S, 32 bytes each. */
const ES256_SIGNATURE_BYTES = 64;
/** Clock skew tolerated on `iat` (same bound as KeyPackage lifetimes, member.ts). */
const MAX_CLOCK_SKEW_S = 3600;

/** What a verified (or, from `readMemberStatement`, merely decoded) statement says. */
export interface MemberStatement {
  readonly userId: string;
  readonly displayName: string;
  readonly meetingId: string;
  readonly participantId: string;
  readonly signaturePublicKey: Uint8Array;
  readonly issuedAtS: number;
  readonly expiresAtS: number;
}

interface Parts {
  readonly header: Record<string, unknown>;
  readonly claims: MemberCredentialClaims;
  readonly signingInput: Uint8Array;
  readonly signature: Uint8Array;
}

function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toBase64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function json(bytes: Uint8Array | undefined): unknown {
  const text = bytes === undefined ? undefined : fromUtf8(bytes);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function split(identity: Uint8Array): Parts | undefined {
  if (identity.length > MEMBER_CREDENTIAL_MAX_LENGTH) return undefined;
  const text = fromUtf8(identity);
  const pieces = text?.split('.');
  if (pieces === undefined || pieces.length !== 3) return undefined;
  const header = json(fromBase64url(pieces[0]));
  const claims = memberCredentialClaimsSchema.safeParse(json(fromBase64url(pieces[1])));
  const signature = fromBase64url(pieces[2]);
  if (typeof header !== 'object' || header === null || !claims.success || signature === undefined)
    return undefined;
  return {
    header: header as Record<string, unknown>,
    claims: claims.data,
    signingInput: utf8(`${pieces[0]}.${pieces[1]}`),
    signature,
  };
}

function statementOf(claims: MemberCredentialClaims): MemberStatement | undefined {
  const signaturePublicKey = fromBase64url(claims.spk);
  if (signaturePublicKey === undefined) return undefined;
  return {
    userId: claims.sub,
    displayName: claims.name,
    meetingId: claims.room,
    participantId: claims.pid,
    signaturePublicKey,
    issuedAtS: claims.iat,
    expiresAtS: claims.exp,
  };
}

/** Decodes a credential identity as a member statement, WITHOUT verifying it; undefined if it is not one. */
export function readMemberStatement(identity: Uint8Array): MemberStatement | undefined {
  const parts = split(identity);
  return parts === undefined ? undefined : statementOf(parts.claims);
}

/** Why `verify` refused a statement (stable strings, for logs and tests). */
export type StatementRefusal =
  | 'not_a_statement'
  | 'wrong_type'
  | 'unknown_key'
  | 'bad_signature'
  | 'other_meeting'
  | 'other_signature_key'
  | 'expired'
  | 'not_yet_valid';

/**
 * Checks member statements against room control's keys, for one meeting. Built from the key set the client
 * fetched from room control over TLS (never from the SFU).
 */
export class MemberStatementVerifier {
  private constructor(
    private readonly keys: ReadonlyMap<string, CryptoKey>,
    readonly meetingId: string,
    private readonly nowS: () => number,
  ) {}

  /** `keySet` is validated here (it crossed a trust boundary); throws MlsError('invalid_argument') if bad. */
  static async create(options: {
    keySet: unknown;
    meetingId: string;
    /** Seconds since the epoch; default the system clock. */
    nowS?: () => number;
  }): Promise<MemberStatementVerifier> {
    const parsed = memberCredentialKeySetSchema.safeParse(options.keySet);
    if (!parsed.success) throw new MlsError('invalid_argument', 'not a member-credential key set');
    const keys = new Map<string, CryptoKey>();
    for (const jwk of parsed.data.keys) {
      const key = await crypto.subtle.importKey(
        'jwk',
        { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['verify'],
      );
      keys.set(jwk.kid, key);
    }
    return new MemberStatementVerifier(
      keys,
      options.meetingId,
      options.nowS ?? (() => Math.floor(Date.now() / 1000)),
    );
  }

  /**
   * The statement if `identity` is room control's statement for this meeting binding exactly
   * `signaturePublicKey`; else the refusal. `joining`: the credential comes with an Add (a new member), whose
   * statement must also be within its validity period; members already in the group keep theirs.
   */
  async verify(
    identity: Uint8Array,
    signaturePublicKey: Uint8Array,
    joining: boolean,
  ): Promise<MemberStatement | StatementRefusal> {
    const parts = split(identity);
    if (parts === undefined) return 'not_a_statement';
    if (parts.header.typ !== MEMBER_CREDENTIAL_TYPE || parts.header.alg !== 'ES256') return 'wrong_type';
    const key = typeof parts.header.kid === 'string' ? this.keys.get(parts.header.kid) : undefined;
    if (key === undefined) return 'unknown_key';
    if (parts.signature.length !== ES256_SIGNATURE_BYTES) return 'bad_signature';
    const signed = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      bufferSource(parts.signature),
      bufferSource(parts.signingInput),
    );
    if (!signed) return 'bad_signature';
    const statement = statementOf(parts.claims);
    if (statement === undefined) return 'not_a_statement';
    if (statement.meetingId !== this.meetingId) return 'other_meeting';
    if (!bytesEqual(statement.signaturePublicKey, signaturePublicKey)) return 'other_signature_key';
    if (joining) {
      const now = this.nowS();
      if (now >= statement.expiresAtS) return 'expired';
      if (statement.issuedAtS > now + MAX_CLOCK_SKEW_S) return 'not_yet_valid';
    }
    return statement;
  }

  /** The `authorizeMember` hook of an MLS member that accepts only verified statements of this meeting. */
  authorizer(): MemberAuthorizer {
    return async ({ userId, signaturePublicKey, credential, joining }) => {
      const verdict = await this.verify(credential, signaturePublicKey, joining);
      return typeof verdict !== 'string' && verdict.userId === userId;
    };
  }
}
