import type { DataSource } from 'typeorm';
import { ProfileRetention } from './accounts/profile-retention';
import { systemClock, type AuditSink, type Clock, type Logger } from '@conclave/server-kit';
import { AccountService } from './accounts/account-service';
import { loginSources, type AuthConfig } from './config';
import { PasswordHasher } from './credentials/password-hasher';
import { PasswordPolicy } from './credentials/password-policy';
import { TotpSecretBox } from './credentials/totp-secret-box';
import { LdapSource } from './ldap/ldap-source';
import type { CredentialSource } from './login/credential-source';
import { LocalSource } from './login/local-source';
import { LoginService } from './login/login-service';
import { LoginThrottle } from './login/login-throttle';
import { AuthMetrics } from './metrics';
import { openAuthDatabase } from './storage/database';
import { UserStore } from './storage/user-store';
import { SessionStore } from './tokens/session-store';
import { SigningKeys } from './tokens/signing-keys';
import { StepTokenStore } from './tokens/step-token-store';
import { TokenIssuer } from './tokens/token-issuer';
import type { Directory } from './ldap/directory';
import { LdapjsDirectory } from './ldap/ldapjs-directory';
import { OidcSignIn } from './oidc/oidc-sign-in';
import { SamlSignIn } from './saml/saml-sign-in';
import { DirectorySearch } from './directory-search/directory-search';
import { SearchRate } from './directory-search/search-rate';

export interface AuthCoreDeps {
  audit: AuditSink;
  log: Logger;
  clock?: Clock;
  metrics?: AuthMetrics;
  /** Replaces the ldapjs adapter (tests of the mapping logic). */
  directory?: Directory;
}

/** The service's parts wired together, without HTTP: used by the HTTP layer and by `conclave user`. */
export interface AuthCore {
  config: AuthConfig;
  db: DataSource;
  clock: Clock;
  audit: AuditSink;
  metrics: AuthMetrics;
  users: UserStore;
  sessions: SessionStore;
  keys: SigningKeys;
  tokens: TokenIssuer;
  /** Which step-up tokens have been used (they are single use). */
  steps: StepTokenStore;
  throttle: LoginThrottle;
  accounts: AccountService;
  login: LoginService;
  /** Present when `oidc` is configured. */
  oidc: OidcSignIn | undefined;
  /** Present when `saml` is configured. */
  saml: SamlSignIn | undefined;
  retention: ProfileRetention;
  /** The invitation picker's search of local accounts and the directory. */
  directorySearch: DirectorySearch;
  close(): Promise<void>;
}

/** Opens the database (running migrations) and builds every part from the configuration. */
export async function openAuthCore(config: AuthConfig, deps: AuthCoreDeps): Promise<AuthCore> {
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? new AuthMetrics();
  const db = await openAuthDatabase(config.database!);
  const users = new UserStore(db, clock);
  const sessions = new SessionStore(db, clock, {
    refreshSeconds: config.tokens.refreshTokenSeconds,
    sessionMaxSeconds: config.tokens.sessionMaxSeconds,
  });
  const keys = new SigningKeys(
    {
      dir: config.tokens.keysDir!,
      rotationSeconds: config.tokens.keyRotationSeconds,
      overlapSeconds: config.tokens.keyOverlapSeconds,
    },
    clock,
  );
  const tokens = new TokenIssuer(keys, clock, {
    accessSeconds: config.tokens.accessTokenSeconds,
    stepSeconds: config.tokens.stepTokenSeconds,
  });
  const throttle = new LoginThrottle(db, clock);
  const hasher = new PasswordHasher(config.password.argon2);
  const policy = new PasswordPolicy({
    minLength: config.password.minLength,
    minEntropyBits: config.password.minEntropyBits,
  });
  const totpSecrets = TotpSecretBox.loadOrCreate(config.totp.secretKeyFile!);
  const sealed = await totpSecrets.sealStoredInClear(db);
  if (sealed > 0) deps.log.info('TOTP secrets stored in clear were sealed', { count: sealed });
  const accounts = new AccountService(
    users,
    sessions,
    throttle,
    hasher,
    policy,
    deps.audit,
    clock,
    { totpIssuer: config.totp.issuer, recoveryCodes: config.totp.recoveryCodes },
    totpSecrets,
  );
  const directory =
    config.ldap !== undefined
      ? (deps.directory ?? new LdapjsDirectory(config.ldap, metrics, deps.log))
      : undefined;
  const sources: CredentialSource[] = loginSources(config).flatMap((name): CredentialSource[] => {
    if (name === 'local') return [new LocalSource(users, hasher)];
    return directory !== undefined ? [new LdapSource(directory, users, config.ldap!, deps.audit)] : [];
  });
  const login = new LoginService({
    sources,
    users,
    sessions,
    tokens,
    throttle,
    hasher,
    audit: deps.audit,
    metrics,
    clock,
    policies: {
      account: config.throttle.account,
      source: config.throttle.source,
      totpRequiredForRoles: config.totp.requiredForRoles,
      recordSourceIp: config.audit.recordSourceIp,
    },
    totpSecrets,
  });
  const pendingLimits = {
    capacity: config.sso.maxPending,
    perSource: config.sso.maxPendingPerSource,
    ttlMs: config.sso.pendingMinutes * 60_000,
  };
  return {
    config,
    db,
    clock,
    audit: deps.audit,
    metrics,
    users,
    sessions,
    keys,
    tokens,
    steps: new StepTokenStore(db, clock),
    throttle,
    accounts,
    login,
    oidc:
      config.oidc !== undefined
        ? new OidcSignIn(config.oidc, login, deps.audit, clock, pendingLimits)
        : undefined,
    saml:
      config.saml !== undefined
        ? new SamlSignIn(config.saml, login, deps.audit, clock, pendingLimits)
        : undefined,
    retention: new ProfileRetention(db, deps.audit, clock, config.retention.inactiveProfilesDays),
    directorySearch: new DirectorySearch({
      users,
      directory,
      ldap: config.ldap,
      audit: deps.audit,
      metrics,
      rate: new SearchRate({ perMinute: config.directorySearch.perMinute }, clock),
    }),
    async close() {
      await directory?.close();
      await db.destroy();
    },
  };
}
