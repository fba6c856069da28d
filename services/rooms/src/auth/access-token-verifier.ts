import { decodeProtectedHeader, jwtVerify } from 'jose';
import { z } from 'zod';
import { accessTokenClaimsSchema, idSchema, roleSchema, type Role } from '@conclave/protocol';
import { UnauthorizedError } from '@conclave/server-kit';
import type { AuthKeySet } from './auth-key-set';

/** The signed-in person a request comes from. */
export interface Caller {
  userId: string;
  name: string;
  roles: Role[];
  /** Directory groups (token `groups` claim), for invitations to groups. */
  groups: string[];
  /** When the access token expires (ms since the epoch); long-lived streams close then. */
  expiresAtMs?: number;
}

/** Verified tokens remembered at most (oldest forgotten first). */
const VERIFIED_CACHE_SIZE = 1000;

/** What the rooms service reads from an access token; other claims are ignored. */
const claimsSchema = z.object({
  sub: idSchema,
  name: z.string().min(1).max(256),
  roles: z
    .array(z.string())
    .max(16)
    .transform((roles) => roles.filter((r): r is Role => roleSchema.safeParse(r).success)),
  // Same bounds as the auth service's tokens (libs/protocol accessTokenClaimsSchema).
  groups: accessTokenClaimsSchema.shape.groups,
  iat: z.number().int(),
  exp: z.number().int(),
});

export interface AccessTokenVerifierOptions {
  issuer: string;
  audience: string;
  maxLifetimeSeconds: number;
  clockToleranceSeconds: number;
}

/**
 * Checks `Authorization: Bearer <access JWT>` (EdDSA, the auth service's current JWKS, issuer, audience,
 * lifetime). A token whose key was removed at auth is refused from the next refresh of the keys on, even if it
 * was verified before.
 */
export class AccessTokenVerifier {
  /** Tokens already verified, until they expire: a signature is checked once per token, not per request. */
  private readonly verified = new Map<
    string,
    { caller: Caller; expiresAtMs: number; kid: string | undefined }
  >();

  constructor(
    private readonly options: AccessTokenVerifierOptions,
    private readonly keys: AuthKeySet,
  ) {}

  async verify(authorization: string | undefined): Promise<Caller> {
    if (authorization === undefined || !authorization.startsWith('Bearer ') || authorization.length > 8192) {
      throw new UnauthorizedError('not_authenticated', 'a bearer access token is required');
    }
    await this.keys.fresh();
    const cached = this.verified.get(authorization);
    if (cached !== undefined && cached.expiresAtMs > Date.now() && this.keys.has(cached.kid))
      return cached.caller;
    this.verified.delete(authorization);
    const verified = await this.verifyToken(authorization);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(authorization, verified);
    return verified.caller;
  }

  private async verifyToken(
    authorization: string,
  ): Promise<{ caller: Caller; expiresAtMs: number; kid: string | undefined }> {
    const token = authorization.slice('Bearer '.length);
    let payload: unknown;
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
      ({ payload } = await jwtVerify(token, this.keys.resolver, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ['EdDSA'],
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch {
      throw new UnauthorizedError('invalid_token', 'the access token is not valid');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success)
      throw new UnauthorizedError('invalid_token', 'the access token lacks required claims');
    if (claims.data.exp - claims.data.iat > this.options.maxLifetimeSeconds) {
      throw new UnauthorizedError('invalid_token', 'the access token lives too long');
    }
    return {
      caller: {
        userId: claims.data.sub,
        name: claims.data.name.slice(0, 128),
        roles: claims.data.roles,
        groups: claims.data.groups,
        expiresAtMs: claims.data.exp * 1000,
      },
      expiresAtMs: claims.data.exp * 1000,
      kid,
    };
  }
}
