import { z } from 'zod';

/** `iss` of access tokens: only the authentication service issues them. */
export const ACCESS_TOKEN_ISSUER = 'conclave-auth';
/** `aud` of access tokens: every Conclave service accepts them. */
export const ACCESS_TOKEN_AUDIENCE = 'conclave';
/** Upper bound on an access token's life; verifiers refuse longer-lived ones whatever their signature. */
export const ACCESS_TOKEN_MAX_LIFETIME_SECONDS = 600;
/** Path of the authentication service's JWKS (the public keys access tokens are checked against). */
export const AUTH_JWKS_PATH = '/api/auth/.well-known/jwks.json';

/**
 * Conclave roles. `security-officer` reads audit and metrics and changes nothing; `organiser` may schedule
 * meetings; `admin` administers the appliance.
 */
export const ROLES = ['admin', 'security-officer', 'organiser', 'member'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** How the person proved who they are (RFC 8176 values where one exists). */
export const AUTH_METHODS = ['pwd', 'otp', 'ldap', 'oidc', 'saml'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Claims of an access token (JWT, EdDSA over Ed25519, `kid` in the header). */
export const accessTokenClaimsSchema = z.object({
  iss: z.literal(ACCESS_TOKEN_ISSUER),
  aud: z.union([
    z.literal(ACCESS_TOKEN_AUDIENCE),
    z.array(z.string()).refine((a) => a.includes(ACCESS_TOKEN_AUDIENCE)),
  ]),
  /** Stable, opaque user id. */
  sub: z.string().min(1).max(128),
  /** Display name. */
  name: z.string().min(1).max(256),
  roles: z.array(roleSchema).max(ROLES.length),
  amr: z.array(z.enum(AUTH_METHODS)).min(1).max(AUTH_METHODS.length),
  /** Directory/SSO groups the user belongs to (LDAP group DNs, IdP group names), for invitations by group. */
  groups: z.array(z.string().min(1).max(256)).max(64).default([]),
  /** Session (refresh family) id: revoking it ends the session. */
  sid: z.string().min(1).max(128),
  jti: z.string().min(8).max(128),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

/** Longest accepted user name and password (argon2 is fed at most this many characters). */
export const MAX_USERNAME_LENGTH = 256;
export const MAX_PASSWORD_LENGTH = 256;

const usernameSchema = z.string().min(1).max(MAX_USERNAME_LENGTH);
const passwordSchema = z.string().max(MAX_PASSWORD_LENGTH);
const totpCodeSchema = z.string().regex(/^\d{6,8}$/, 'six to eight digits');
const recoveryCodeSchema = z.string().regex(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/, 'a recovery code');

/** `POST /api/auth/login`. `totp` takes a current code or, instead, one unused recovery code. */
export const loginRequestSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  totp: z.union([totpCodeSchema, recoveryCodeSchema]).optional(),
  /**
   * `cookie` (browsers): the refresh token goes only into the `HttpOnly` cookie, never into the JSON body, where
   * script could read it. `token` (default, API clients): in the body, and no cookie is set.
   */
  session: z.enum(['cookie', 'token']).optional(),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** `POST /api/auth/refresh` (body form; browsers use the cookie and the CSRF header instead). */
export const refreshRequestSchema = z.strictObject({ refreshToken: z.string().min(16).max(256).optional() });
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

/** `POST /api/auth/password` with the step-up token from a `password_change_required` login. */
export const passwordChangeRequestSchema = z.strictObject({
  newPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});
export type PasswordChangeRequest = z.infer<typeof passwordChangeRequestSchema>;

/**
 * `POST /api/auth/totp/enrol`. With an access token (enrolment outside the forced sign-in step) the current
 * password is required again: a stolen session alone cannot bind an attacker's authenticator.
 */
export const totpEnrolRequestSchema = z.strictObject({ password: passwordSchema.min(1).optional() });
export type TotpEnrolRequest = z.infer<typeof totpEnrolRequestSchema>;

/** `POST /api/auth/totp/confirm`: the first code from the authenticator app. */
export const totpConfirmRequestSchema = z.strictObject({ code: totpCodeSchema });
export type TotpConfirmRequest = z.infer<typeof totpConfirmRequestSchema>;

/** Tokens issued on sign-in and on refresh. */
export interface TokenResponse {
  kind: 'tokens';
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  /**
   * Opaque, single use: each refresh returns a new one and burns this one. Absent in the cookie flow (a login with
   * `session: 'cookie'`, a refresh from the cookie, single sign-on): the token is then only in the cookie.
   */
  refreshToken?: string;
  tokenType: 'Bearer';
}

/** The password was right, but a step must be completed first with `stepToken` (short-lived, single purpose). */
export interface StepUpResponse {
  kind: 'password_change_required' | 'totp_enrolment_required';
  stepToken: string;
  expiresIn: number;
}

export type LoginResponse = TokenResponse | StepUpResponse;

/** `POST /api/auth/totp/enrol`: the secret to load in an authenticator app (shown once). */
export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
}

/** `POST /api/auth/totp/confirm`: TOTP is on; these one-time recovery codes are shown once. */
export interface TotpConfirmation {
  recoveryCodes: string[];
}

/** `GET /api/auth/me`. */
export interface MeResponse {
  id: string;
  username: string;
  name: string;
  roles: Role[];
  amr: AuthMethod[];
  totpEnabled: boolean;
}

/** Shortest directory search text: one letter would list half the directory. */
export const DIRECTORY_SEARCH_MIN_LENGTH = 2;
/** Most entries one directory search returns. */
export const DIRECTORY_SEARCH_MAX_RESULTS = 20;

/** `GET /api/auth/directory?q=…&kind=user|group` (signed-in people): people and groups to invite. */
export const directorySearchQuerySchema = z.strictObject({
  q: z.string().trim().min(DIRECTORY_SEARCH_MIN_LENGTH).max(64),
  /** Only people, or only groups; both when absent. */
  kind: z.enum(['user', 'group']).optional(),
});
export type DirectorySearchQuery = z.infer<typeof directorySearchQuerySchema>;

/**
 * One entry found: display names only, never a mail address, a phone number or another attribute. `id` is what
 * room control stores: a user id (the token's `sub`) or a group name as the token's `groups` claim carries it.
 */
export interface DirectorySearchEntry {
  kind: 'user' | 'group';
  id: string;
  displayName: string;
}

/** `GET /api/auth/directory`. */
export interface DirectorySearchResponse {
  entries: DirectorySearchEntry[];
}

/** A single sign-on provider the sign-in page offers (`GET /api/auth/providers`): nothing secret. */
export interface SsoProvider {
  kind: 'oidc' | 'saml';
  /** The name on the button, e.g. "Agent Connect". */
  displayName: string;
  /** Where the browser goes to start the flow (same origin). */
  loginPath: '/api/auth/oidc/login' | '/api/auth/saml/login';
}

/** `GET /api/auth/providers` (public). */
export interface SsoProvidersResponse {
  providers: SsoProvider[];
}
