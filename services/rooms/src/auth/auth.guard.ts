import {
  createParamDecorator,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import { AccessTokenVerifier, type Caller } from './access-token-verifier';

type AuthenticatedRequest = Request & { caller?: Caller };

/** Every meeting route requires a valid access token; the caller is attached to the request. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(@Inject(AccessTokenVerifier) private readonly verifier: AccessTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.caller = await this.verifier.verify(request.headers.authorization);
    return true;
  }
}

/** The authenticated caller (routes behind `AuthGuard`). */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().caller!;
});

/** The caller's address (only recorded when the administrator turned that on). */
export const SourceIp = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  return context.switchToHttp().getRequest<Request>().ip;
});
