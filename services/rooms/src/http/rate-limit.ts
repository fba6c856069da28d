import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { TooManyRequestsError, type Clock } from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import type { RoomsMetrics } from '../metrics';
import { TokenBuckets } from './token-buckets';

export interface RateLimitOptions {
  userBurst: number;
  userPerSecond: number;
  sourceBurst: number;
  sourcePerSecond: number;
}

/** The request limits of the REST API: one bucket per signed-in user, one per source address. */
export class RateLimits {
  private readonly users: TokenBuckets;
  private readonly sources: TokenBuckets;

  constructor(
    options: RateLimitOptions,
    clock: Clock,
    private readonly metrics: RoomsMetrics,
  ) {
    this.users = new TokenBuckets({ burst: options.userBurst, perSecond: options.userPerSecond }, clock);
    this.sources = new TokenBuckets(
      { burst: options.sourceBurst, perSecond: options.sourcePerSecond },
      clock,
    );
  }

  /** Throws 429 `rate_limited` when `userId` is over its limit. */
  user(userId: string): void {
    this.check(this.users.take(userId), 'user');
  }

  /** Throws 429 `rate_limited` when the source address is over its limit. */
  source(address: string): void {
    this.check(this.sources.take(address), 'source');
  }

  private check(retryAfterSeconds: number, scope: 'user' | 'source'): void {
    if (retryAfterSeconds === 0) return;
    this.metrics.rateLimited.inc({ scope });
    throw new TooManyRequestsError('rate_limited', 'too many requests; try again later', retryAfterSeconds);
  }
}

/** Every route, before authentication: the source address's limit. */
@Injectable()
export class SourceRateLimitGuard implements CanActivate {
  constructor(@Inject(RateLimits) private readonly limits: RateLimits) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    this.limits.source(request.ip ?? request.socket.remoteAddress ?? 'unknown');
    return true;
  }
}

/** Authenticated routes, after `AuthGuard`: the signed-in user's limit. */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  constructor(@Inject(RateLimits) private readonly limits: RateLimits) {}

  canActivate(context: ExecutionContext): boolean {
    const { caller } = context.switchToHttp().getRequest<Request & { caller?: Caller }>();
    if (caller !== undefined) this.limits.user(caller.userId);
    return true;
  }
}
