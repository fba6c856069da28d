import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  accessTokenClaimsSchema,
  type AccessTokenClaims,
  type AuthMethod,
  type Role,
} from '@conclave/protocol';
import { UnauthorizedError, type Clock } from '@conclave/server-kit';
import { SIGNING_ALGORITHM, type SigningKeys } from './signing-keys';
import type { StepGrant } from './step-token-store';

/** Audience of step-up tokens: only this service accepts them, never the other services. */
export const STEP_TOKEN_AUDIENCE = 'conclave-auth-step';
export type StepPurpose = 'password_change_required' | 'totp_enrolment_required';

export interface AccessTokenSubject {
  userId: string;
  name: string;
  roles: Role[];
  amr: AuthMethod[];
  sessionId: string;
  /** Directory/SSO groups, for invitations by group (empty for local accounts). */
  groups: string[];
}

/** Signs and checks the service's JWTs: access tokens for every service, step-up tokens for itself. */
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    private readonly lifetimes: { accessSeconds: number; stepSeconds: number },
  ) {}

  get accessTokenSeconds(): number {
    return this.lifetimes.accessSeconds;
  }

  get stepTokenSeconds(): number {
    return this.lifetimes.stepSeconds;
  }

  async issueAccessToken(subject: AccessTokenSubject): Promise<string> {
    return this.sign(
      {
        name: subject.name,
        roles: subject.roles,
        amr: subject.amr,
        sid: subject.sessionId,
        groups: subject.groups,
      },
      subject.userId,
      ACCESS_TOKEN_AUDIENCE,
      this.lifetimes.accessSeconds,
    );
  }

  async issueStepToken(userId: string, purpose: StepPurpose): Promise<string> {
    return this.sign({ step: purpose }, userId, STEP_TOKEN_AUDIENCE, this.lifetimes.stepSeconds);
  }

  /** Verifies an access token (signature, issuer, audience, expiry, claim shapes). */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    const payload = await this.verify(token, ACCESS_TOKEN_AUDIENCE);
    const claims = accessTokenClaimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthorizedError('invalid_token', 'the token is not valid');
    return claims.data;
  }

  /** Verifies a step-up token for one purpose: its user, and the id and expiry that make it single use. */
  async verifyStepToken(token: string, purpose: StepPurpose): Promise<StepGrant> {
    const payload = await this.verify(token, STEP_TOKEN_AUDIENCE);
    if (
      payload['step'] !== purpose ||
      typeof payload.sub !== 'string' ||
      typeof payload.jti !== 'string' ||
      typeof payload.exp !== 'number'
    )
      throw new UnauthorizedError('invalid_token', 'the token is not valid');
    return { userId: payload.sub, jti: payload.jti, expiresAt: payload.exp * 1000 };
  }

  private async sign(
    claims: Record<string, unknown>,
    subject: string,
    audience: string,
    seconds: number,
  ): Promise<string> {
    const key = await this.keys.current();
    const now = Math.floor(this.clock.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'JWT' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(audience)
      .setSubject(subject)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + seconds)
      .sign(key.privateKey);
  }

  private async verify(token: string, audience: string) {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(await this.keys.jwks()), {
        issuer: ACCESS_TOKEN_ISSUER,
        audience,
        algorithms: [SIGNING_ALGORITHM],
        currentDate: new Date(this.clock.now()),
        maxTokenAge: `${Math.max(this.lifetimes.accessSeconds, this.lifetimes.stepSeconds)}s`,
      });
      return payload;
    } catch {
      throw new UnauthorizedError('invalid_token', 'the token is not valid');
    }
  }
}
