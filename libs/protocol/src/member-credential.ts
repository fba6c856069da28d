import { z } from 'zod';
import { idSchema, JOIN_TICKET_ISSUER } from './ticket';

/**
 * Member credentials: room control's signed statement that binds one MLS signature key to one signed-in user's
 * participant session in one meeting. Every MLS member carries its statement as its BasicCredential identity
 * (RFC 9420 §5.3) and checks everyone else's against room control's published keys, so the SFU (the MLS
 * delivery service) cannot add a member under anybody's name. See docs/security/e2ee.md, "Member identity".
 *
 * Form: a compact JWS (RFC 7515) signed ES256 (ECDSA P-256, RFC 7518 §3.4: native WebCrypto in every browser),
 * header `typ` = MEMBER_CREDENTIAL_TYPE, by a key of its own (never the join-ticket key, never in the SFU's JWKS).
 */

/** `iss` of member credentials: the room-control service, as for join tickets. */
export const MEMBER_CREDENTIAL_ISSUER = JOIN_TICKET_ISSUER;
/** `aud` of member credentials: MLS members (browsers), never the SFU. */
export const MEMBER_CREDENTIAL_AUDIENCE = 'conclave-mls';
/** JWS header `typ` (RFC 8725 §3.11: explicit typing, so no other JWT of ours passes for a credential). */
export const MEMBER_CREDENTIAL_TYPE = 'conclave-member+jwt';
/** A credential is good for Adds during one hour (the client asks for one per MLS member it creates). */
export const MEMBER_CREDENTIAL_LIFETIME_SECONDS = 3600;
/** Where room control publishes the keys member credentials are signed with (a JWKS of ES256 keys). */
export const MEMBER_CREDENTIAL_KEYS_PATH = '/.well-known/member-credential-keys.json';
/** Upper bound on an encoded credential, so a hostile delivery service cannot make members parse megabytes. */
export const MEMBER_CREDENTIAL_MAX_LENGTH = 2048;

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'base64url without padding');

/** Claims of a member credential. */
export const memberCredentialClaimsSchema = z
  .object({
    iss: z.literal(MEMBER_CREDENTIAL_ISSUER),
    aud: z.literal(MEMBER_CREDENTIAL_AUDIENCE),
    /** The signed-in user. */
    sub: idSchema,
    /** The meeting. */
    room: idSchema,
    /** The participant session (one per device). */
    pid: idSchema,
    /** The display name room control holds for that session. */
    name: z.string().min(1).max(128),
    /** The MLS leaf signature public key, base64url (RFC 9420 §5.1.1 encoding of the room's suite). */
    spk: base64url.min(16).max(400),
    iat: z.number().int(),
    exp: z.number().int(),
  })
  .strict();

export type MemberCredentialClaims = z.infer<typeof memberCredentialClaimsSchema>;

/** One public key of the member-credential issuer (an EC P-256 JWK, RFC 7518 §6.2). */
export const memberCredentialKeySchema = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: base64url.length(43),
    y: base64url.length(43),
    kid: z.string().min(1).max(64),
    alg: z.literal('ES256'),
    use: z.literal('sig'),
  })
  .strict();

export type MemberCredentialKey = z.infer<typeof memberCredentialKeySchema>;

/** The JWKS served at MEMBER_CREDENTIAL_KEYS_PATH (validated by clients: it is outside their trust boundary). */
export const memberCredentialKeySetSchema = z.object({
  keys: z.array(memberCredentialKeySchema).min(1).max(8),
});

export type MemberCredentialKeySet = z.infer<typeof memberCredentialKeySetSchema>;

/** POST /meetings/:meetingId/participants/:participantId/credential */
export const memberCredentialRequestSchema = z
  .object({
    /** The MLS signature public key of the member about to join, base64url. */
    signatureKey: base64url.min(16).max(400),
  })
  .strict();

export type MemberCredentialRequest = z.infer<typeof memberCredentialRequestSchema>;

export const memberCredentialResponseSchema = z.object({
  credential: z.string().min(1).max(MEMBER_CREDENTIAL_MAX_LENGTH),
  /** ISO 8601: Adds of this credential are refused after it. */
  expiresAt: z.string(),
});

export type MemberCredentialResponse = z.infer<typeof memberCredentialResponseSchema>;
