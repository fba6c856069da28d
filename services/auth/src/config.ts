import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { auditTrailConfigSchema } from '@conclave/audit';
import { roleSchema } from '@conclave/protocol';
import {
  databaseConfigSchema,
  internalListenerSchema,
  loadConfig,
  logLevelSchema,
  portSchema,
  trustProxySchema,
  validateConfig,
} from '@conclave/server-kit';

/** OWASP Password Storage Cheat Sheet (2025): argon2id, m = 19 MiB, t = 2, p = 1 is the minimum. */
export const ARGON2_OWASP_MINIMUM = { memoryKiB: 19_456, iterations: 2, parallelism: 1 } as const;

const throttleSchema = (defaults: { freeAttempts: number; lockAfter: number | null }) =>
  z
    .strictObject({
      /** Failures allowed before any delay is imposed. */
      freeAttempts: z.number().int().min(1).max(10_000).default(defaults.freeAttempts),
      /** First delay after the free attempts; doubles with each further failure. */
      baseDelayMs: z.number().int().min(100).max(600_000).default(1_000),
      maxDelayMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
      /** Failures (within the window) after which the key is locked; null: never locked, only delayed. */
      lockAfter: z.number().int().min(2).max(1_000).nullable().default(defaults.lockAfter),
      lockMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(15),
      /** Failures older than this are forgotten. */
      windowMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(60),
    })
    .prefault({});

const groupDnSchema = z.string().min(3).max(1024);

/** An IPv4/IPv6 address, optionally with a CIDR prefix length. */
/** Directory sign-in (OpenLDAP, Active Directory). Plain `ldap://` without StartTLS is refused. */
export const ldapConfigSchema = z
  .strictObject({
    url: z.string().regex(/^ldaps?:\/\/[^\s/]+\/?$/, 'ldap://host:port or ldaps://host:port'),
    /** Upgrade an `ldap://` connection with StartTLS before any bind. */
    startTls: z.boolean().default(false),
    /** CA bundle the directory's certificate must chain to (system CAs when absent). */
    caFile: z.string().min(1).optional(),
    /** Service account used to search for users; its password is read from `bindPasswordFile`. */
    bindDn: z.string().min(3).max(1024),
    bindPasswordFile: z.string().min(1),
    userBase: z.string().min(3).max(1024),
    /** Search filter; `{username}` is replaced by the RFC 4515-escaped user name. */
    userFilter: z
      .string()
      .includes('{username}', { message: 'must contain {username}' })
      .default('(&(objectClass=inetOrgPerson)(uid={username}))'),
    displayNameAttribute: z.string().min(1).max(64).default('cn'),
    /**
     * Attribute holding the sign-in name (`uid`; Active Directory `sAMAccountName`): the profile takes the name
     * read back from the entry, not the spelling typed (which the directory matches ignoring case and spaces).
     */
    usernameAttribute: z.string().min(1).max(64).default('uid'),
    /**
     * The entry's stable identity the local profile is keyed on: OpenLDAP `entryUUID`, Active Directory
     * `objectGUID` (binary, kept in hex). Entries without it are keyed on their DN.
     */
    idAttribute: z.string().min(1).max(64).default('entryUUID'),
    /**
     * Attribute holding the entry's DN exactly as the server wrote it (OpenLDAP `entryDN`, Active Directory
     * `distinguishedName`); used for the user bind instead of a re-serialised DN.
     */
    dnAttribute: z.string().min(1).max(64).default('entryDN'),
    /** Where groups live; group search is skipped when absent (then `memberOf` alone is used). */
    groupBase: z.string().min(3).max(1024).optional(),
    /** `{dn}` is replaced by the RFC 4515-escaped user DN. */
    groupFilter: z
      .string()
      .includes('{dn}', { message: 'must contain {dn}' })
      .default('(&(objectClass=groupOfNames)(member={dn}))'),
    /** Attribute on the user listing its groups (OpenLDAP memberof overlay, Active Directory). */
    memberOfAttribute: z.string().min(1).max(64).default('memberOf'),
    /** Active Directory: resolve nested groups with LDAP_MATCHING_RULE_IN_CHAIN (1.2.840.113556.1.4.1941). */
    nestedGroups: z.boolean().default(false),
    /** Group DN → Conclave roles. DNs are compared case-insensitively after RFC 4514 normalisation. */
    roleMap: z.record(groupDnSchema, z.array(roleSchema).min(1)).default({}),
    /** Roles of every directory user, in addition to mapped ones. */
    defaultRoles: z.array(roleSchema).default(['member']),
    /** Each LDAP operation (connect, bind, search) must finish within this time. */
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  })
  .refine((l) => l.url.startsWith('ldaps://') || l.startTls, {
    message: 'plain ldap:// sends passwords in clear: use ldaps:// or startTls: true',
    path: ['startTls'],
  })
  .refine((l) => !(l.url.startsWith('ldaps://') && l.startTls), {
    message: 'startTls applies to ldap:// only',
    path: ['startTls'],
  });

export type LdapConfig = z.infer<typeof ldapConfigSchema>;

/** Single sign-on with an OpenID Connect provider: authorization code flow with PKCE, state and nonce. */
export const oidcConfigSchema = z
  .strictObject({
    /** Issuer URL (discovery at `<issuer>/.well-known/openid-configuration`); HTTPS. */
    issuer: z.url(),
    clientId: z.string().min(1).max(256),
    /** Client secret, read from this file. */
    clientSecretFile: z.string().min(1),
    /** This service's callback as registered at the provider: `https://…/api/auth/oidc/callback`. */
    redirectUri: z.url(),
    scopes: z.array(z.string().regex(/^[\x21-\x7e]+$/)).default(['openid', 'profile']),
    usernameClaim: z.string().min(1).default('preferred_username'),
    displayNameClaim: z.string().min(1).default('name'),
    /** Claim listing the person's groups, mapped to roles by `roleMap`. */
    groupsClaim: z.string().min(1).default('groups'),
    roleMap: z.record(z.string().min(1).max(1024), z.array(roleSchema).min(1)).default({}),
    defaultRoles: z.array(roleSchema).default(['member']),
    /**
     * ID token `amr` values (RFC 8176 §2) that count as a second factor: people whose roles are in
     * `totp.requiredForRoles` are signed in only when the provider asserts one of them.
     */
    mfaAmr: z.array(z.string().min(1).max(64)).default(['mfa']),
    /** The name on the sign-in page's button (e.g. "Agent Connect"); the issuer's host name by default. */
    displayName: z.string().trim().min(1).max(64).optional(),
    /** Tests only: accept an `http://` issuer on the loopback interface. */
    allowLoopbackHttp: z.boolean().default(false),
  })
  .refine(
    (o) =>
      o.issuer.startsWith('https://') ||
      (o.allowLoopbackHttp && /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(o.issuer)),
    {
      message: 'the issuer must use https',
      path: ['issuer'],
    },
  );

export type OidcConfig = z.infer<typeof oidcConfigSchema>;

/** SAML 2.0 single sign-on: this service is the SP, assertions must be signed by the IdP. */
export const samlConfigSchema = z.strictObject({
  /** IdP single sign-on URL (HTTP-Redirect binding). */
  entryPoint: z.url(),
  /** PEM certificate(s) the IdP signs assertions with. */
  idpCertFile: z.string().min(1),
  /** Expected IdP entity id (the assertion's Issuer). */
  idpIssuer: z.string().min(1).max(1024),
  /** This service's entity id, also the expected audience. */
  issuer: z.string().min(1).max(1024),
  /** Assertion consumer service: `https://…/api/auth/saml/acs`. */
  callbackUrl: z.url(),
  displayNameAttribute: z.string().min(1).default('displayName'),
  groupsAttribute: z.string().min(1).default('groups'),
  roleMap: z.record(z.string().min(1).max(1024), z.array(roleSchema).min(1)).default({}),
  defaultRoles: z.array(roleSchema).default(['member']),
  acceptedClockSkewMs: z.number().int().min(0).max(300_000).default(30_000),
  /** The name on the sign-in page's button; the entry point's host name by default. */
  displayName: z.string().trim().min(1).max(64).optional(),
  /**
   * AuthnContextClassRef values that count as multi-factor: people whose roles are in `totp.requiredForRoles`
   * are signed in only when the assertion carries one of them (none by default: such people use a password
   * and TOTP).
   */
  mfaAuthnContexts: z.array(z.string().min(1).max(256)).default([]),
});

export type SamlConfig = z.infer<typeof samlConfigSchema>;

/** The authentication service's configuration: one typed object, validated once at start-up. */
export const authConfigSchema = z.strictObject({
  /** Public API (`/api/auth/…`): HTTPS under the Conclave TLS profile when both files are set, else plain HTTP. */
  http: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: portSchema.default(8081),
      /** Service certificate chain (the appliance CA's `auth`) and its key (0600), reloaded on rotation. */
      certFile: z.string().min(1).optional(),
      keyFile: z.string().min(1).optional(),
      bodyLimit: z
        .string()
        .regex(/^\d{1,4}kb$/)
        .default('16kb'),
      trustProxy: trustProxySchema,
    })
    .refine((h) => (h.certFile === undefined) === (h.keyFile === undefined), {
      message: 'set both certFile and keyFile, or neither',
    })
    .prefault({}),
  /** Internal listener: `/metrics`, `/healthz`, `/readyz`. */
  internal: internalListenerSchema({ host: '127.0.0.1', port: 9465 }),
  /** Where the embedded defaults live: the SQLite file and the signing keys. Relative to the config file. */
  dataDir: z.string().min(1).default('data/auth'),
  /** Defaults to SQLite at `<dataDir>/auth.sqlite`. */
  database: databaseConfigSchema.optional(),
  /** Sources tried in this order for `POST /api/auth/login`; the first one that knows the user decides. */
  login: z
    .strictObject({
      sources: z
        .array(z.enum(['local', 'ldap']))
        .min(1)
        .max(2)
        .optional(),
    })
    .prefault({}),
  password: z
    .strictObject({
      argon2: z
        .strictObject({
          memoryKiB: z
            .number()
            .int()
            .min(ARGON2_OWASP_MINIMUM.memoryKiB)
            .max(4_194_304)
            .default(ARGON2_OWASP_MINIMUM.memoryKiB),
          iterations: z
            .number()
            .int()
            .min(ARGON2_OWASP_MINIMUM.iterations)
            .max(100)
            .default(ARGON2_OWASP_MINIMUM.iterations),
          parallelism: z.number().int().min(1).max(16).default(ARGON2_OWASP_MINIMUM.parallelism),
        })
        .prefault({}),
      /**
       * CNIL 2022-100 asks 80 bits for a password used alone, e.g. 12 characters from the four classes, which the
       * exact formula puts at 79: the default accepts that example. Never below 50 (the CNIL floor with lockout).
       */
      minEntropyBits: z.number().int().min(50).max(256).default(78),
      minLength: z.number().int().min(8).max(128).default(12),
    })
    .prefault({}),
  totp: z
    .strictObject({
      /** Shown in the authenticator app. */
      issuer: z.string().min(1).max(64).default('Conclave'),
      /** Roles whose holders must enrol TOTP before they get tokens. */
      requiredForRoles: z.array(roleSchema).default(['admin', 'security-officer']),
      recoveryCodes: z.number().int().min(4).max(20).default(10),
      /**
       * Key sealing TOTP secrets in the database (64 hex digits, 0600), kept outside it; created at first start.
       * `<dataDir>/totp-secret.key` by default.
       */
      secretKeyFile: z.string().min(1).optional(),
    })
    .prefault({}),
  tokens: z
    .strictObject({
      accessTokenSeconds: z.number().int().min(30).max(600).default(300),
      refreshTokenSeconds: z
        .number()
        .int()
        .min(60)
        .max(7 * 86_400)
        .default(8 * 3_600),
      /** A session ends this long after sign-in whatever the refreshes. */
      sessionMaxSeconds: z
        .number()
        .int()
        .min(300)
        .max(30 * 86_400)
        .default(12 * 3_600),
      /** Step-up tokens (password change, TOTP enrolment). */
      stepTokenSeconds: z.number().int().min(60).max(1_800).default(600),
      /** A new signing key is made when the active one is this old. */
      keyRotationSeconds: z
        .number()
        .int()
        .min(600)
        .max(365 * 86_400)
        .default(30 * 86_400),
      /** A retired key stays in the JWKS this long (≥ the access token life) so tokens it signed still verify. */
      keyOverlapSeconds: z
        .number()
        .int()
        .min(600)
        .max(30 * 86_400)
        .default(86_400),
      /** Signing keys (0600 files); `<dataDir>/keys` by default. */
      keysDir: z.string().min(1).optional(),
    })
    .prefault({}),
  throttle: z
    .strictObject({
      account: throttleSchema({ freeAttempts: 3, lockAfter: 10 }),
      source: throttleSchema({ freeAttempts: 20, lockAfter: null }),
    })
    .prefault({}),
  retention: z
    .strictObject({
      /** Directory/SSO profiles of people who have not signed in for this long are deleted (recreated at sign-in). */
      inactiveProfilesDays: z.number().int().min(7).max(3650).default(180),
      purgeIntervalMinutes: z.number().int().min(1).max(10_080).default(60),
    })
    .prefault({}),
  cookies: z
    .strictObject({
      /** `Secure` cookies with the `__Host-` prefix. Turn off only for plain-HTTP tests. */
      secure: z.boolean().default(true),
    })
    .prefault({}),
  ldap: ldapConfigSchema.optional(),
  /**
   * Single sign-ons started and not yet finished (OIDC and SAML each): held in memory, bounded, never evicted
   * while live; starts past a limit are refused with 429.
   */
  sso: z
    .strictObject({
      maxPending: z.number().int().min(10).max(100_000).default(10_000),
      /** Per client address (see `http.trustProxy`): one address cannot take the whole store. */
      maxPendingPerSource: z.number().int().min(1).max(10_000).default(20),
      pendingMinutes: z.number().int().min(1).max(30).default(10),
    })
    .prefault({}),
  oidc: oidcConfigSchema.optional(),
  saml: samlConfigSchema.optional(),
  audit: z
    .strictObject({
      /** Record the client address in audit events (off by default: data minimisation). */
      recordSourceIp: z.boolean().default(false),
      /**
       * The appliance's tamper-evident audit trail (the room-control service's database and checkpoint key):
       * set it so sign-in events join the one trail. Without it, events are logged as JSON lines only.
       */
      trail: auditTrailConfigSchema.optional(),
    })
    .prefault({}),
  log: z.strictObject({ level: logLevelSchema }).prefault({}),
  /** The invitation picker's search of people and groups (`GET /api/auth/directory`). */
  directorySearch: z
    .strictObject({
      /** Searches one signed-in person may make per minute; more are refused with 429 `rate_limited`. */
      perMinute: z.number().int().min(1).max(600).default(30),
    })
    .prefault({}),
});

export type AuthConfig = z.infer<typeof authConfigSchema>;
export type AuthConfigInput = z.input<typeof authConfigSchema>;

/** Relative paths in the file are taken relative to the file's directory. */
function resolvePaths(config: AuthConfig, baseDir: string): AuthConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const dataDir = abs(config.dataDir);
  const database = config.database ?? { type: 'sqlite' as const, path: resolve(dataDir, 'auth.sqlite') };
  return {
    ...config,
    dataDir,
    http: {
      ...config.http,
      ...(config.http.certFile !== undefined ? { certFile: abs(config.http.certFile) } : {}),
      ...(config.http.keyFile !== undefined ? { keyFile: abs(config.http.keyFile) } : {}),
    },
    internal: {
      ...config.internal,
      ...(config.internal.tls !== undefined
        ? {
            tls: {
              certFile: abs(config.internal.tls.certFile),
              keyFile: abs(config.internal.tls.keyFile),
              ...(config.internal.tls.clientCaFile !== undefined
                ? { clientCaFile: abs(config.internal.tls.clientCaFile) }
                : {}),
            },
          }
        : {}),
    },
    database: database.type === 'sqlite' ? { ...database, path: abs(database.path) } : database,
    tokens: { ...config.tokens, keysDir: abs(config.tokens.keysDir ?? resolve(dataDir, 'keys')) },
    totp: {
      ...config.totp,
      secretKeyFile: abs(config.totp.secretKeyFile ?? resolve(dataDir, 'totp-secret.key')),
    },
    audit:
      config.audit.trail === undefined
        ? config.audit
        : {
            ...config.audit,
            trail: {
              ...config.audit.trail,
              keyFile: abs(config.audit.trail.keyFile),
              database:
                config.audit.trail.database.type === 'sqlite'
                  ? { ...config.audit.trail.database, path: abs(config.audit.trail.database.path) }
                  : config.audit.trail.database,
            },
          },
    saml:
      config.saml === undefined ? undefined : { ...config.saml, idpCertFile: abs(config.saml.idpCertFile) },
    oidc:
      config.oidc === undefined
        ? undefined
        : { ...config.oidc, clientSecretFile: abs(config.oidc.clientSecretFile) },
    ldap:
      config.ldap === undefined
        ? undefined
        : {
            ...config.ldap,
            bindPasswordFile: abs(config.ldap.bindPasswordFile),
            ...(config.ldap.caFile !== undefined ? { caFile: abs(config.ldap.caFile) } : {}),
          },
  };
}

/** Reads and validates the configuration (YAML + `CONCLAVE_AUTH__…` environment overrides). */
export function loadAuthConfig(file?: string, env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const { config, configDir } = loadConfig(authConfigSchema, { file, env, envPrefix: 'CONCLAVE_AUTH' });
  return resolvePaths(config, configDir);
}

/** Validates an in-memory configuration (programmatic start, tests); relative paths are taken from `baseDir`. */
export function parseAuthConfig(input: AuthConfigInput, baseDir = process.cwd()): AuthConfig {
  return resolvePaths(validateConfig(authConfigSchema, input), baseDir);
}

/** The sources tried at sign-in: as configured, or local then the directory when one is configured. */
export function loginSources(config: AuthConfig): ('local' | 'ldap')[] {
  return config.login.sources ?? (config.ldap !== undefined ? ['local', 'ldap'] : ['local']);
}
