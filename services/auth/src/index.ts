export { startAuthService, type AuthServiceDeps, type RunningAuthService } from './auth-service';
export { openAuthCore, type AuthCore, type AuthCoreDeps } from './auth-core';
export {
  authConfigSchema,
  loadAuthConfig,
  parseAuthConfig,
  ARGON2_OWASP_MINIMUM,
  type AuthConfig,
  type AuthConfigInput,
  type LdapConfig,
} from './config';
export { buildOpenApiDocument, OPENAPI_PATH } from './http/openapi';
export { CSRF_HEADER, cookieNames } from './http/cookies';
export { totpAt, totpStep, base32Decode } from './credentials/totp';
export type { Directory, DirectoryUser } from './ldap/directory';
export { openAuditTrail, type OpenedAuditTrail } from '@conclave/audit';
