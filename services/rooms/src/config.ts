import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_MAX_LIFETIME_SECONDS,
  JOIN_TICKET_MAX_LIFETIME_SECONDS,
} from '@conclave/protocol';
import {
  databaseConfigSchema,
  internalListenerSchema,
  loadConfig,
  logLevelSchema,
  portSchema,
  trustProxySchema,
  validateConfig,
} from '@conclave/server-kit';
import { TURN_CREDENTIAL_MAX_LIFETIME_SECONDS } from '@conclave/turn';

/** The room-control service's configuration: one typed object, validated once at start-up (unknown keys refused). */
export const roomsConfigSchema = z.strictObject({
  /** Public REST API (`/api/rooms/…`); TLS when both files are set, else plain HTTP behind the TLS proxy. */
  http: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: portSchema.default(8444),
      certFile: z.string().min(1).optional(),
      keyFile: z.string().min(1).optional(),
      trustProxy: trustProxySchema,
      bodyLimit: z
        .string()
        .regex(/^\d+(kb|mb)$/)
        .default('32kb'),
    })
    .refine((h) => (h.certFile === undefined) === (h.keyFile === undefined), {
      message: 'set both certFile and keyFile, or neither',
    })
    .prefault({}),
  /** Internal listener: `/metrics` only; keep it off client networks. */
  internal: internalListenerSchema({ host: '127.0.0.1', port: 9465 }),
  /** Where generated keys and the embedded database live. */
  dataDir: z.string().min(1).default('data/rooms'),
  /** Records; SQLite under `dataDir` when absent. Point the auth service at the same database for one audit trail. */
  database: databaseConfigSchema.optional(),
  /** Access tokens from the authentication service. */
  auth: z
    .strictObject({
      issuer: z.string().min(1).default(ACCESS_TOKEN_ISSUER),
      audience: z.string().min(1).default(ACCESS_TOKEN_AUDIENCE),
      /** The authentication service's JWKS over HTTP(S) (`…/api/auth/.well-known/jwks.json`). */
      jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** Or a JWKS file with its public keys (re-read like the URL). */
      jwksFile: z.string().min(1).optional(),
      /**
       * PEM certificate(s) an `https` `jwksUrl` must chain to (the appliance root, `pki/root-ca.crt`) instead
       * of the system's public CAs.
       */
      jwksTrustFile: z.string().min(1).optional(),
      /** Keys are fetched again when older than this: a key removed at auth is no longer trusted after it. */
      jwksRefreshSeconds: z.number().int().min(1).max(3600).default(300),
      /** A token naming an unknown key fetches the keys again, at most this often. */
      jwksUnknownKidCooldownSeconds: z.number().int().min(0).max(3600).default(10),
      /** Without a successful fetch for this long, requests are refused (503) instead of trusting old keys. */
      jwksMaxStaleSeconds: z.number().int().min(60).max(86_400).default(900),
      jwksTimeoutMs: z.number().int().min(100).max(30_000).default(2000),
      maxLifetimeSeconds: z
        .number()
        .int()
        .min(30)
        .max(ACCESS_TOKEN_MAX_LIFETIME_SECONDS)
        .default(ACCESS_TOKEN_MAX_LIFETIME_SECONDS),
      clockToleranceSeconds: z.number().int().min(0).max(60).default(5),
    })
    .refine((a) => (a.jwksUrl === undefined) !== (a.jwksFile === undefined), {
      message: 'set exactly one of jwksUrl and jwksFile',
    })
    .refine((a) => a.jwksTrustFile === undefined || a.jwksUrl?.startsWith('https:') === true, {
      message: 'jwksTrustFile needs an https jwksUrl',
    })
    .refine((a) => a.jwksMaxStaleSeconds >= a.jwksRefreshSeconds, {
      message: 'jwksMaxStaleSeconds must be at least jwksRefreshSeconds',
    }),
  /** SFU join tickets signed by this service. */
  tickets: z
    .strictObject({
      /** Ed25519 private key (PKCS#8 PEM); generated under `dataDir` when absent. */
      keyFile: z.string().min(1).optional(),
      lifetimeSeconds: z.number().int().min(10).max(JOIN_TICKET_MAX_LIFETIME_SECONDS).default(60),
      /** Also write the public JWKS here, for the SFU's `tickets.jwksFile`. */
      jwksOutFile: z.string().min(1).optional(),
    })
    .prefault({}),
  /** MLS member credentials signed by this service (docs/security/e2ee.md, "Member identity"). */
  memberCredentials: z
    .strictObject({
      /** ECDSA P-256 private key (PKCS#8 PEM), distinct from the ticket key; generated under `dataDir` when absent. */
      keyFile: z.string().min(1).optional(),
    })
    .prefault({}),
  /** The SFU's internal API, through which every organiser power takes effect on the media. */
  sfu: z
    .strictObject({
      internalUrl: z.url({ protocol: /^https?$/ }),
      /** Bearer token of the SFU's internal API, read from this file. */
      apiTokenFile: z.string().min(1),
      /**
       * Mutual TLS to the SFU's internal listener (an `https` `internalUrl`): room control's service
       * certificate and key (0600) as client certificate, and the appliance root the SFU's certificate must
       * chain to.
       */
      tls: z
        .strictObject({
          certFile: z.string().min(1),
          keyFile: z.string().min(1),
          trustFile: z.string().min(1),
        })
        .optional(),
      timeoutMs: z.number().int().min(100).max(30_000).default(2000),
      /** Given to clients with their ticket (wss://…/signalling). */
      signallingUrl: z.url({ protocol: /^wss$/ }).optional(),
    })
    .refine((s) => s.internalUrl.startsWith('https:') === (s.tls !== undefined), {
      message: 'an https internalUrl needs sfu.tls (mutual TLS), and sfu.tls an https internalUrl',
    }),
  /**
   * The appliance's TURN relay (coturn, `use-auth-secret`): each admitted participant gets its URLs with a
   * credential bound to its user id, with its join ticket. Absent: no ICE servers are handed out.
   */
  turn: z
    .strictObject({
      /** The TURN name clients use in turn:/turns: URLs (the relay's certificate and the edge's SNI route). */
      serverName: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a DNS name'),
      /** TURN over UDP and TCP. */
      port: portSchema.default(3478),
      /** TURN over TLS as clients reach it (443 through the SNI edge); no turns: URL when absent. */
      tlsPort: portSchema.optional(),
      /** The secret shared with coturn (the first of its `secretFiles`), mode 0600. */
      secretFile: z.string().min(1),
      /** Longest lifetime of a credential; it otherwise ends with the meeting. */
      credentialLifetimeSeconds: z
        .number()
        .int()
        .min(60)
        .max(TURN_CREDENTIAL_MAX_LIFETIME_SECONDS)
        .default(TURN_CREDENTIAL_MAX_LIFETIME_SECONDS),
    })
    .optional(),
  audit: z
    .strictObject({
      /** Ed25519 key signing checkpoints; generated under `dataDir` when absent. */
      keyFile: z.string().min(1).optional(),
      checkpointEvery: z.number().int().min(1).max(100_000).default(100),
      checkpointIntervalSeconds: z.number().int().min(0).max(86_400).default(300),
      /** Record callers' IP addresses in the trail (off: data minimisation). */
      recordSourceIp: z.boolean().default(false),
    })
    .prefault({}),
  /** How long each data class is kept; see docs/privacy.md. */
  retention: z
    .strictObject({
      /** Ended meetings, their invitation lists and participant lists. */
      meetingsDays: z.number().int().min(1).max(3650).default(30),
      /** Audit entries (purged only up to a signed checkpoint). */
      auditDays: z.number().int().min(30).max(3650).default(365),
      /** How often the purge job runs. */
      purgeIntervalMinutes: z.number().int().min(1).max(1440).default(60),
    })
    .prefault({}),
  /**
   * Request limits (token buckets, in memory): per signed-in user on every authenticated route, per source address
   * on every route (behind a proxy, set `http.trustProxy`). Over the limit: 429 `rate_limited` with Retry-After,
   * nothing audited.
   */
  rateLimit: z
    .strictObject({
      /** Requests a user may make at once, and how many more each second. */
      userBurst: z.number().int().min(1).max(100_000).default(60),
      userPerSecond: z.number().min(0.1).max(10_000).default(10),
      /** Requests one source address may make at once, and how many more each second. */
      sourceBurst: z.number().int().min(1).max(1_000_000).default(600),
      sourcePerSecond: z.number().min(0.1).max(100_000).default(100),
      /** Repeats of a refusal (same person, action and reason) within this window are audited as one entry. */
      denialWindowSeconds: z.number().int().min(1).max(3600).default(60),
    })
    .prefault({}),
  meetings: z
    .strictObject({
      /** Length of an instant meeting. */
      instantDurationMinutes: z.number().int().min(5).max(1440).default(240),
    })
    .prefault({}),
  log: z.strictObject({ level: logLevelSchema }).prefault({}),
  /** The lobby: how long a person may wait before the wait is given up (they are told and removed). */
  lobby: z
    .strictObject({
      giveUpAfterSeconds: z.number().int().min(5).max(86_400).default(900),
    })
    .prefault({}),
  /** Participant streams (server-sent events pushing lobby state and requests to browsers). */
  streams: z
    .strictObject({
      /** Streams one user may hold open at once. */
      perUser: z.number().int().min(1).max(100).default(8),
      /** Streams the service holds open at once. */
      total: z.number().int().min(1).max(100_000).default(5000),
      /** A heartbeat comment is sent this often (under every proxy's idle timeout). */
      heartbeatSeconds: z.number().int().min(1).max(60).default(15),
    })
    .prefault({}),
});

export type RoomsConfig = z.infer<typeof roomsConfigSchema>;
export type RoomsConfigInput = z.input<typeof roomsConfigSchema>;

/** Paths resolved against the configuration file's directory; defaults filled in. */
export interface ResolvedRoomsConfig extends RoomsConfig {
  database: NonNullable<RoomsConfig['database']>;
  tickets: RoomsConfig['tickets'] & { keyFile: string };
  memberCredentials: RoomsConfig['memberCredentials'] & { keyFile: string };
  audit: RoomsConfig['audit'] & { keyFile: string };
}

/** Reads and validates the configuration (YAML + `CONCLAVE_ROOMS__…` environment overrides). */
export function loadRoomsConfig(file?: string, env: NodeJS.ProcessEnv = process.env): ResolvedRoomsConfig {
  const { config, configDir } = loadConfig(roomsConfigSchema, { file, env, envPrefix: 'CONCLAVE_ROOMS' });
  return resolveRoomsConfig(config, configDir);
}

/** Validates an in-memory configuration (programmatic start, tests); relative paths against `baseDir`. */
export function parseRoomsConfig(input: RoomsConfigInput, baseDir = process.cwd()): ResolvedRoomsConfig {
  return resolveRoomsConfig(validateConfig(roomsConfigSchema, input), baseDir);
}

function resolveRoomsConfig(config: RoomsConfig, baseDir: string): ResolvedRoomsConfig {
  const at = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  const dataDir = at(config.dataDir);
  const optional = (path: string | undefined) => (path !== undefined ? at(path) : undefined);
  const database = config.database ?? { type: 'sqlite' as const, path: join(dataDir, 'rooms.db') };
  return {
    ...config,
    dataDir,
    http: {
      ...config.http,
      certFile: optional(config.http.certFile),
      keyFile: optional(config.http.keyFile),
    },
    internal: {
      ...config.internal,
      ...(config.internal.tls !== undefined
        ? {
            tls: {
              certFile: at(config.internal.tls.certFile),
              keyFile: at(config.internal.tls.keyFile),
              ...(config.internal.tls.clientCaFile !== undefined
                ? { clientCaFile: at(config.internal.tls.clientCaFile) }
                : {}),
            },
          }
        : {}),
    },
    database:
      database.type === 'sqlite'
        ? { ...database, path: at(database.path) }
        : { ...database, passwordFile: optional(database.passwordFile), caFile: optional(database.caFile) },
    auth: {
      ...config.auth,
      jwksFile: optional(config.auth.jwksFile),
      jwksTrustFile: optional(config.auth.jwksTrustFile),
    },
    tickets: {
      ...config.tickets,
      keyFile: at(config.tickets.keyFile ?? join(dataDir, 'tickets.key')),
      jwksOutFile: optional(config.tickets.jwksOutFile),
    },
    memberCredentials: {
      keyFile: at(config.memberCredentials.keyFile ?? join(dataDir, 'member-creds.key')),
    },
    sfu: {
      ...config.sfu,
      apiTokenFile: at(config.sfu.apiTokenFile),
      ...(config.sfu.tls !== undefined
        ? {
            tls: {
              certFile: at(config.sfu.tls.certFile),
              keyFile: at(config.sfu.tls.keyFile),
              trustFile: at(config.sfu.tls.trustFile),
            },
          }
        : {}),
    },
    turn: config.turn && { ...config.turn, secretFile: at(config.turn.secretFile) },
    audit: { ...config.audit, keyFile: at(config.audit.keyFile ?? join(dataDir, 'audit-checkpoint.key')) },
  };
}
