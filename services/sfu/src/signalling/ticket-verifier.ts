import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import {
  JOIN_TICKET_MAX_LIFETIME_SECONDS,
  joinTicketClaimsSchema,
  type JoinTicketClaims,
} from '@conclave/protocol';
import { UnauthorizedError, type Clock } from '@conclave/server-kit';

export interface TicketVerifierOptions {
  jwksFile?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  clock: Clock;
}

/**
 * Checks join tickets: signature against the configured JWKS (EdDSA or ES256 only), issuer, audience,
 * expiry, a bounded lifetime, the claims' shape, and single use (a ticket id is accepted once while valid).
 */
export class TicketVerifier {
  private readonly keys: JWTVerifyGetKey;
  /** jti → expiry (ms); entries are dropped once the ticket would have expired anyway. */
  private readonly usedTicketIds = new Map<string, number>();

  constructor(private readonly options: TicketVerifierOptions) {
    if (options.jwksFile !== undefined) {
      this.keys = createLocalJWKSet(
        JSON.parse(readFileSync(options.jwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0],
      );
    } else if (options.jwksUrl !== undefined) {
      this.keys = createRemoteJWKSet(new URL(options.jwksUrl), {
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      });
    } else {
      throw new Error('ticket verifier needs jwksFile or jwksUrl');
    }
  }

  /** Verifies a ticket and consumes it; throws `UnauthorizedError` with a stable code otherwise. */
  async verify(ticket: string): Promise<JoinTicketClaims> {
    const nowMs = this.options.clock.now();
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(ticket, this.keys, {
        algorithms: ['EdDSA', 'ES256'],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new UnauthorizedError('ticket_expired', 'the join ticket has expired');
      }
      throw new UnauthorizedError('invalid_ticket', 'the join ticket is not valid', (error as Error).message);
    }
    const parsed = joinTicketClaimsSchema.safeParse(payload);
    if (!parsed.success) {
      throw new UnauthorizedError('invalid_ticket', 'the join ticket is not valid', parsed.error.message);
    }
    const claims = parsed.data;
    if (claims.exp - claims.iat > JOIN_TICKET_MAX_LIFETIME_SECONDS) {
      throw new UnauthorizedError('invalid_ticket', 'the join ticket lives too long');
    }
    this.forgetExpired(nowMs);
    if (this.usedTicketIds.has(claims.jti)) {
      throw new UnauthorizedError('ticket_replayed', 'the join ticket was already used');
    }
    this.usedTicketIds.set(claims.jti, (claims.exp + this.options.clockToleranceSeconds) * 1000);
    return claims;
  }

  private forgetExpired(nowMs: number): void {
    for (const [jti, expiresAt] of this.usedTicketIds) {
      if (expiresAt < nowMs) this.usedTicketIds.delete(jti);
    }
  }
}
