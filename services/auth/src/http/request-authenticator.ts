import type { Request } from 'express';
import type { AccessTokenClaims } from '@conclave/protocol';
import { UnauthorizedError } from '@conclave/server-kit';
import type { AuthCore } from '../auth-core';
import type { UserRecord } from '../storage/entities';
import type { StepGrant } from '../tokens/step-token-store';
import type { StepPurpose } from '../tokens/token-issuer';

/** Nest injection token of the service's core. */
export const AUTH_CORE = Symbol('AUTH_CORE');

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]{16,4096}=*)$/;

/** Who is calling: an access token whose session is still live and whose user is enabled, or a step token. */
export class RequestAuthenticator {
  constructor(private readonly core: AuthCore) {}

  async accessToken(req: Request): Promise<{ claims: AccessTokenClaims; user: UserRecord }> {
    const claims = await this.core.tokens.verifyAccessToken(this.bearer(req));
    const user = await this.core.users.findById(claims.sub);
    // Logout and disabling take effect here at once, not only when the token expires.
    if (user === null || user.disabled || !(await this.core.sessions.isActive(claims.sid))) {
      throw new UnauthorizedError('invalid_token', 'the token is not valid');
    }
    return { claims, user };
  }

  /** A step-up token for `purpose`, not used yet, of an enabled user. */
  async stepToken(req: Request, purpose: StepPurpose): Promise<StepGrant> {
    const grant = await this.core.tokens.verifyStepToken(this.bearer(req), purpose);
    const user = await this.core.users.findById(grant.userId);
    if (user === null || user.disabled || (await this.core.steps.isUsed(grant.jti)))
      throw new UnauthorizedError('invalid_token', 'the token is not valid');
    return grant;
  }

  /** The step-up token's grant, or the user of a live access token (`step` absent). */
  async stepOrAccessToken(
    req: Request,
    purpose: StepPurpose,
  ): Promise<{ user: UserRecord; step?: StepGrant }> {
    try {
      const step = await this.stepToken(req, purpose);
      const user = await this.core.users.findById(step.userId);
      if (user !== null) return { user, step };
    } catch {
      // Not a step token: an access token, below.
    }
    return { user: (await this.accessToken(req)).user };
  }

  private bearer(req: Request): string {
    const header = req.header('authorization');
    if (header === undefined) throw new UnauthorizedError('not_authenticated', 'sign in first');
    const match = BEARER.exec(header);
    if (match === null) throw new UnauthorizedError('invalid_token', 'the token is not valid');
    return match[1]!;
  }
}
