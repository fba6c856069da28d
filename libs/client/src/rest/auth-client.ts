import type {
  DirectorySearchQuery,
  DirectorySearchResponse,
  LoginRequest,
  LoginResponse,
  MeResponse,
  SsoProvidersResponse,
  TokenResponse,
  TotpConfirmation,
  TotpEnrolment,
} from '@conclave/protocol';
import { callJson, type RestClientOptions } from './http';
import {
  directorySearchResponseSchema,
  loginResponseSchema,
  meResponseSchema,
  ssoProvidersResponseSchema,
  tokenResponseSchema,
  totpConfirmationSchema,
  totpEnrolmentSchema,
} from './replies';

/** The header the auth service expects the CSRF cookie's value in (double submit). */
const CSRF_HEADER = 'x-csrf-token';
/** `__Host-` in production (Secure cookies); the plain name only when the service runs without TLS. */
const CSRF_COOKIES = ['__Host-conclave-csrf', 'conclave-csrf'];

export interface AuthClientOptions extends RestClientOptions {
  /** The CSRF token for cookie-based refresh and sign-out; read from `document.cookie` by default. */
  csrfToken?: () => string | undefined;
}

function csrfFromDocument(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const pair of document.cookie.split(';')) {
    const index = pair.indexOf('=');
    const name = pair.slice(0, index).trim();
    if (CSRF_COOKIES.includes(name)) return decodeURIComponent(pair.slice(index + 1).trim());
  }
  return undefined;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The authentication service's REST API (`/api/auth`): sign-in and its steps, the cookie session, who I am.
 * Every reply is validated against its `libs/protocol` type; refusals throw `RestError` with the stable code.
 */
export class AuthClient {
  private readonly options: AuthClientOptions;

  constructor(options: AuthClientOptions = {}) {
    this.options = options;
  }

  /** Signs in; the reply is tokens or a step to complete first (`stepToken`). TOTP refusals: `totp_required`. */
  login(request: LoginRequest): Promise<LoginResponse> {
    return callJson(this.options, 'POST', '/api/auth/login', loginResponseSchema, { body: request });
  }

  /** Sets a new password with the step token of a `password_change_required` sign-in. */
  changePassword(stepToken: string, newPassword: string): Promise<void> {
    return callJson(this.options, 'POST', '/api/auth/password', undefined, {
      body: { newPassword },
      headers: bearer(stepToken),
    });
  }

  /**
   * Starts TOTP enrolment with a `totp_enrolment_required` step token, or with an access token and the current
   * password (a session alone cannot bind an authenticator).
   */
  enrolTotp(token: string, password?: string): Promise<TotpEnrolment> {
    return callJson(this.options, 'POST', '/api/auth/totp/enrol', totpEnrolmentSchema, {
      headers: bearer(token),
      ...(password !== undefined ? { body: { password } } : {}),
    });
  }

  /** Confirms enrolment with the first code; the recovery codes are shown once. */
  confirmTotp(token: string, code: string): Promise<TotpConfirmation> {
    return callJson(this.options, 'POST', '/api/auth/totp/confirm', totpConfirmationSchema, {
      body: { code },
      headers: bearer(token),
    });
  }

  /** New tokens from the browser's session cookie (HttpOnly refresh token + CSRF header). */
  refresh(): Promise<TokenResponse> {
    const csrf = (this.options.csrfToken ?? csrfFromDocument)();
    return callJson(this.options, 'POST', '/api/auth/refresh', tokenResponseSchema, {
      headers: csrf !== undefined ? { [CSRF_HEADER]: csrf } : {},
    });
  }

  /** Ends the session (server side) and clears its cookies. */
  logout(accessToken: string): Promise<void> {
    return callJson(this.options, 'POST', '/api/auth/logout', undefined, { headers: bearer(accessToken) });
  }

  me(accessToken: string): Promise<MeResponse> {
    return callJson(this.options, 'GET', '/api/auth/me', meResponseSchema, { headers: bearer(accessToken) });
  }

  /** People and groups whose name contains `query.q` (display names only); 429 `rate_limited` when overused. */
  searchDirectory(accessToken: string, query: DirectorySearchQuery): Promise<DirectorySearchResponse> {
    const params = new URLSearchParams({
      q: query.q,
      ...(query.kind !== undefined ? { kind: query.kind } : {}),
    });
    return callJson(this.options, 'GET', `/api/auth/directory?${params}`, directorySearchResponseSchema, {
      headers: bearer(accessToken),
    });
  }

  /** The single sign-on providers the sign-in page offers (public). */
  providers(): Promise<SsoProvidersResponse> {
    return callJson(this.options, 'GET', '/api/auth/providers', ssoProvidersResponseSchema);
  }
}
