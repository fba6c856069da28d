import { availableParallelism } from 'node:os';
import { z } from 'zod';
import {
  DEFAULT_E2EE_SUITE,
  DEFAULT_MAX_MESSAGE_BYTES,
  JOIN_TICKET_AUDIENCE,
  JOIN_TICKET_ISSUER,
  e2eeSuiteSchema,
} from '@conclave/protocol';
import { auditTrailConfigSchema } from '@conclave/audit';
import { isLoopbackAddress } from './media/loopback';
import { listenSchema, loadConfig, logLevelSchema, portSchema, validateConfig } from '@conclave/server-kit';

const ipSchema = z.union([z.ipv4(), z.ipv6()]);

/** The SFU's configuration: one typed object, validated once at start-up (unknown keys refused). */
export const sfuConfigSchema = z.strictObject({
  /** Public listener: signalling over WebSocket with TLS (wss://host:port/signalling). */
  signalling: z.strictObject({
    host: z.string().min(1).default('0.0.0.0'),
    port: portSchema.default(4443),
    certFile: z.string().min(1),
    keyFile: z.string().min(1),
    maxMessageBytes: z
      .number()
      .int()
      .min(1024)
      .max(8 * 1024 * 1024)
      .default(DEFAULT_MAX_MESSAGE_BYTES),
    /** Token bucket per connection: sustained requests per second and burst size. */
    rateLimit: z
      .strictObject({
        perSecond: z.number().positive().max(10_000).default(50),
        burst: z.number().int().positive().max(100_000).default(200),
      })
      .prefault({}),
    /** A connection must send a valid `hello` within this time. */
    helloTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Open connections per client address (raise it when many clients share one NAT or proxy address). */
    maxConnectionsPerAddress: z.number().int().min(1).max(100_000).default(50),
    /**
     * A connection whose unsent data stays above this for a second, or ever passes 8 times it, is closed: the
     * SFU does not buffer for a client that does not read.
     */
    maxBufferedBytes: z
      .number()
      .int()
      .min(256 * 1024)
      .max(256 * 1024 * 1024)
      .default(4 * 1024 * 1024),
  }),
  /** Internal listener: /metrics and the internal rights API; keep it off client networks. */
  internal: z
    .strictObject({
      ...listenSchema({ host: '127.0.0.1', port: 9464 }).unwrap().shape,
      /** Bearer token required by the internal API, read from this file. Without it the API is disabled. */
      apiTokenFile: z.string().min(1).optional(),
      /**
       * Mutual TLS (docs/security/tls.md): the listener serves HTTPS with this service certificate, requires a
       * client certificate chaining to `clientCaFile` (the appliance root) on every route, and lets only the
       * `rooms` service certificate issued by the current `issuerFile` (the intermediate) call the internal API.
       * The bearer token stays as a second factor.
       */
      tls: z
        .strictObject({
          certFile: z.string().min(1),
          keyFile: z.string().min(1),
          clientCaFile: z.string().min(1),
          issuerFile: z.string().min(1),
        })
        .optional(),
    })
    .prefault({}),
  /** Join tickets: JWTs signed by the room-control service. */
  tickets: z
    .strictObject({
      /** JWKS (JSON) file holding the public keys tickets are checked against. */
      jwksFile: z.string().min(1).optional(),
      /** Or the room-control service's JWKS URL (HTTPS). */
      jwksUrl: z.url({ protocol: /^https$/ }).optional(),
      issuer: z.string().default(JOIN_TICKET_ISSUER),
      audience: z.string().default(JOIN_TICKET_AUDIENCE),
      clockToleranceSeconds: z.number().int().min(0).max(60).default(5),
    })
    .refine((t) => (t.jwksFile === undefined) !== (t.jwksUrl === undefined), {
      message: 'set exactly one of jwksFile and jwksUrl',
    }),
  media: z
    .strictObject({
      /** mediasoup workers (one per core by default). */
      workers: z.number().int().min(1).max(256).default(availableParallelism()),
      /** Address the WebRTC servers listen on, and the address announced to clients (NAT, load balancer). */
      listenIp: ipSchema.default('0.0.0.0'),
      announcedAddress: z.string().min(1).optional(),
      /** First UDP/TCP port; worker i listens on port + i (one UDP and one TCP port each). 0: random. */
      port: portSchema.default(40000),
      workerLogLevel: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
      /** Start bitrate estimate for new WebRTC transports (bit/s); transport-cc adapts from there. */
      initialAvailableOutgoingBitrate: z.number().int().min(100_000).max(100_000_000).default(1_000_000),
      maxIncomingBitrate: z.number().int().min(100_000).max(100_000_000).default(5_000_000),
      /** RTP without ICE/DTLS, for tests and benchmarks on loopback only. Refused when disabled. */
      plainTransport: z
        .strictObject({
          enabled: z.boolean().default(false),
          listenIp: ipSchema
            .default('127.0.0.1')
            .refine(isLoopbackAddress, { message: 'plain RTP listens on loopback only' }),
        })
        .prefault({}),
      /** Tile height (CSS px) at or below which a consumer gets the lowest, then the middle simulcast layer. */
      layerThresholds: z
        .strictObject({
          low: z.number().int().min(1).default(240),
          medium: z.number().int().min(1).default(480),
        })
        .prefault({}),
    })
    .prefault({}),
  rooms: z
    .strictObject({
      maxParticipants: z.number().int().min(2).max(1000).default(100),
      /**
       * Consumers one participant may hold (one per producer at most): 400 receives every source of a full
       * 100-person meeting.
       */
      maxConsumersPerParticipant: z.number().int().min(1).max(10_000).default(400),
    })
    .prefault({}),
  e2ee: z
    .strictObject({
      /**
       * MLS suite of a room whose join tickets name none (`mls_suite`): AES-256 default, or the X-Wing
       * post-quantum hybrid. The room-control service puts each meeting's own setting in its tickets.
       */
      defaultSuite: e2eeSuiteSchema.default(DEFAULT_E2EE_SUITE),
      /**
       * How long the designated committer has to commit an epoch's proposals before the next present member is
       * asked to (a frozen or throttled tab must not keep joiners waiting).
       */
      commitTimeoutMs: z.number().int().min(200).max(60_000).default(3000),
      /**
       * After this long (±25 %) without a new epoch, a member refreshes its own leaf with an empty commit
       * (post-compromise security); default 5 minutes, so no SFrame counter outgrows 2 bytes.
       */
      updateIntervalMs: z.number().int().min(200).max(86_400_000).default(300_000),
      /**
       * Chat (MLS application messages) per participant: the SFU copies each message to every member, so one
       * sender's rate times the room's size is what the SFU sends.
       */
      chat: z
        .strictObject({
          maxMessageBytes: z.number().int().min(1024).max(65_536).default(16_384),
          messagesPerSecond: z.number().positive().max(1000).default(5),
          burstMessages: z.number().int().min(1).max(10_000).default(20),
          bytesPerSecond: z.number().int().min(1024).max(16_777_216).default(16_384),
          burstBytes: z.number().int().min(1024).max(67_108_864).default(65_536),
        })
        .refine((c) => c.burstBytes >= c.maxMessageBytes, {
          message: 'burstBytes must hold at least one message of maxMessageBytes',
        })
        .prefault({}),
      /**
       * Join storms: the first of a batch of joiners waits this long for others, so that one commit (one epoch,
       * one Welcome) adds them all; removals are never held.
       */
      batchWindowMs: z.number().int().min(0).max(2000).default(100),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** Record the client address in audit events (off by default: data minimisation). */
      recordSourceIp: z.boolean().default(false),
      /**
       * The appliance's tamper-evident audit trail (the room-control service's database and checkpoint key):
       * set it so the SFU's security events join the one trail. Without it, they are logged as JSON lines.
       */
      trail: auditTrailConfigSchema.optional(),
      /** Repeated refusals from one source within this window become one summary entry. */
      floodWindowSeconds: z.number().int().min(1).max(3600).default(60),
      /** Sources tracked per window; beyond them, refusals share one overflow entry. */
      floodMaxSources: z.number().int().min(1).max(100_000).default(100),
    })
    .prefault({}),
  log: z.strictObject({ level: logLevelSchema }).prefault({}),
});

export type SfuConfig = z.infer<typeof sfuConfigSchema>;
export type SfuConfigInput = z.input<typeof sfuConfigSchema>;

/** Reads and validates the SFU configuration (YAML + `CONCLAVE_SFU__…` environment overrides). */
export function loadSfuConfig(file?: string, env: NodeJS.ProcessEnv = process.env): SfuConfig {
  return loadConfig(sfuConfigSchema, { file, env, envPrefix: 'CONCLAVE_SFU' }).config;
}

/** Validates an in-memory configuration (programmatic start, tests). */
export function parseSfuConfig(input: SfuConfigInput): SfuConfig {
  return validateConfig(sfuConfigSchema, input);
}
