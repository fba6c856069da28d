import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { ForbiddenError } from '@conclave/server-kit';

/** Header a browser must echo the CSRF cookie in (double-submit), on top of `SameSite=Strict`. */
export const CSRF_HEADER = 'x-csrf-token';

export interface CookieNames {
  refresh: string;
  csrf: string;
}

/** `__Host-` names bind the cookies to this origin, with `Secure` and `Path=/` (RFC 6265bis §4.1.3.2). */
export function cookieNames(secure: boolean): CookieNames {
  return secure
    ? { refresh: '__Host-conclave-refresh', csrf: '__Host-conclave-csrf' }
    : { refresh: 'conclave-refresh', csrf: 'conclave-csrf' };
}

/** Sets the browser session: the refresh token (HttpOnly) and a CSRF token the page can read. */
export function setSessionCookies(
  res: Response,
  refreshToken: string,
  maxAgeSeconds: number,
  secure: boolean,
): void {
  const names = cookieNames(secure);
  const common = { secure, sameSite: 'strict' as const, path: '/', maxAge: maxAgeSeconds * 1000 };
  res.cookie(names.refresh, refreshToken, { ...common, httpOnly: true });
  res.cookie(names.csrf, randomBytes(24).toString('base64url'), { ...common, httpOnly: false });
}

export function clearSessionCookies(res: Response, secure: boolean): void {
  const names = cookieNames(secure);
  res.clearCookie(names.refresh, { secure, sameSite: 'strict', path: '/', httpOnly: true });
  res.clearCookie(names.csrf, { secure, sameSite: 'strict', path: '/' });
}

/**
 * The refresh token from the cookie, once the CSRF header matched the CSRF cookie; undefined when the request
 * carries no session cookie at all.
 */
export function refreshTokenFromCookie(req: Request, secure: boolean): string | undefined {
  const names = cookieNames(secure);
  const cookies = (req.cookies ?? {}) as Record<string, unknown>;
  const token = cookies[names.refresh];
  if (typeof token !== 'string' || token.length === 0) return undefined;
  const expected = cookies[names.csrf];
  const given = req.header(CSRF_HEADER);
  const ok =
    typeof expected === 'string' &&
    typeof given === 'string' &&
    expected.length > 0 &&
    given.length === expected.length &&
    timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  if (!ok) throw new ForbiddenError('csrf_rejected', 'the request did not carry the CSRF token');
  return token;
}

/** Binds an OpenID Connect sign-in to the browser that started it. `Lax`: it must survive the IdP's redirect. */
export function oidcStateCookie(secure: boolean): string {
  return secure ? '__Host-conclave-oidc-state' : 'conclave-oidc-state';
}

export function setOidcStateCookie(res: Response, state: string, secure: boolean): void {
  res.cookie(oidcStateCookie(secure), state, {
    secure,
    sameSite: 'lax',
    path: '/',
    httpOnly: true,
    maxAge: 600_000,
  });
}

/**
 * Binds a SAML sign-in to the browser that started it (the AuthnRequest ID the response must answer). The IdP
 * answers with a cross-site POST, which only `SameSite=None` cookies survive; without `Secure` (plain-HTTP tests)
 * browsers refuse `None`, so `Lax` is used there.
 */
export function samlRequestCookie(secure: boolean): string {
  return secure ? '__Host-conclave-saml-request' : 'conclave-saml-request';
}

export function setSamlRequestCookie(res: Response, requestId: string, secure: boolean): void {
  res.cookie(samlRequestCookie(secure), requestId, {
    secure,
    sameSite: secure ? 'none' : 'lax',
    path: '/',
    httpOnly: true,
    maxAge: 600_000,
  });
}
