import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig, portSchema } from '@conclave/server-kit';
import { isIpOrCidr } from './addresses';

/** A value written into `turnserver.conf`: one line, no comment or option can be smuggled in. */
const confValue = z.string().regex(/^[^\s#"\\]+$/, 'no spaces, quotes, backslashes or #');
const ipSchema = z.string().refine((v) => isIP(v) !== 0, 'an IP address');

/** Shared secrets of the TURN REST mechanism: 32 to 256 printable, unquoted characters. */
export const TURN_SECRET_PATTERN = /^[A-Za-z0-9+/=_.-]{32,256}$/;
/** Upper bound of any credential's lifetime: one working day, whatever the meeting says. */
export const TURN_CREDENTIAL_MAX_LIFETIME_SECONDS = 12 * 3600;

/**
 * The TURN relay (coturn) as Conclave configures it. coturn's own file is generated from this
 * (`conclave turn config`); see docs/configuration.md, "TURN relay".
 */
export const turnConfigSchema = z.strictObject({
  /** Long-term credential realm (RFC 8489 §9.2), usually the appliance's DNS name. */
  realm: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a DNS name'),
  /** The TURN name clients use (turn:/turns: URLs, the edge's SNI route); the realm by default. */
  serverName: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,253}$/, 'a DNS name')
    .optional(),
  listen: z
    .strictObject({
      /** Addresses coturn listens on (several allowed); all interfaces when empty. */
      addresses: z.array(ipSchema).default([]),
      /** TURN over UDP and TCP (RFC 8656 §4). */
      port: portSchema.default(3478),
      /** TURN over TLS (RFC 8656 §4; the edge forwards 443 here). */
      tlsPort: portSchema.default(5349),
    })
    .prefault({}),
  /** Port clients reach the TLS listener on: 443 through the SNI edge, or `listen.tlsPort` without one. */
  publicTlsPort: portSchema.default(443),
  relay: z
    .strictObject({
      /** Local addresses allocations relay from (one IPv4 and one IPv6 for both families, RFC 6156). */
      addresses: z.array(ipSchema).default([]),
      /** Public address announced in XOR-RELAYED-ADDRESS when coturn sits behind NAT. */
      externalAddress: ipSchema.optional(),
      /** UDP ports of relayed transport addresses (RFC 8656 §7.2: 49152–65535). */
      minPort: portSchema.default(49152),
      maxPort: portSchema.default(65535),
    })
    .prefault({}),
  /** Certificate and key of the TLS listener (the appliance CA's); without it, no TLS listener. */
  tls: z.strictObject({ certFile: confValue, keyFile: confValue }).optional(),
  /**
   * Files each holding one shared secret with room control. The first signs new credentials; every one is
   * accepted, so a new secret is added first, then the old one removed once its credentials expired.
   */
  secretFiles: z.array(z.string().min(1)).min(1).max(4),
  quotas: z
    .strictObject({
      /** Concurrent allocations of one user (a participant needs one or two per transport). */
      perUser: z.number().int().min(1).max(1000).default(10),
      /** Concurrent allocations of the whole relay. */
      total: z.number().int().min(1).max(1_000_000).default(2000),
    })
    .prefault({}),
  /** Longest lifetime an allocation may ask for, in seconds (RFC 8656 §7.2 default 600, coturn's 3600). */
  maxAllocationLifetimeSeconds: z.number().int().min(60).max(86_400).default(3600),
  /** Longest lifetime of a credential room control hands out, in seconds. */
  credentialLifetimeSeconds: z
    .number()
    .int()
    .min(60)
    .max(TURN_CREDENTIAL_MAX_LIFETIME_SECONDS)
    .default(TURN_CREDENTIAL_MAX_LIFETIME_SECONDS),
  /**
   * The SFU's own addresses (or blocks): the only peers inside the denied ranges the relay may reach. Clients
   * relay to the SFU, nothing else on the inside.
   */
  allowedPeers: z.array(z.string().refine(isIpOrCidr, 'an IP address or CIDR block')).default([]),
  /**
   * coturn refuses loopback peers before reading `allowedPeers`; tests whose SFU listens on 127.0.0.1 turn this
   * on. Never in production: the loopback block stays denied except for `allowedPeers`.
   */
  allowLoopbackPeers: z.boolean().default(false),
  /** coturn's pid file and log ("stdout" or a path). */
  pidFile: confValue.default('/run/conclave/turnserver.pid'),
  logFile: confValue.default('stdout'),
  /** coturn's SQLite database (unused with shared secrets, but coturn opens one). */
  databaseFile: confValue.default('/var/lib/conclave/turn/turndb'),
});

export type TurnConfig = z.infer<typeof turnConfigSchema>;

/** A validated TURN configuration and the shared secrets read from its files (the first one signs). */
export interface LoadedTurnConfig {
  config: TurnConfig;
  secrets: string[];
}

/**
 * Loads the TURN configuration (YAML, then `CONCLAVE_TURN__…` overrides) and reads every secret file. A secret
 * file readable by others than its owner, or a secret too short, is refused with every problem listed.
 */
export function loadTurnConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedTurnConfig {
  const { config, configDir } = loadConfig(turnConfigSchema, { file, env, envPrefix: 'CONCLAVE_TURN' });
  const problems: string[] = [];
  const at = (path: string) => resolve(configDir, path);
  const resolved: TurnConfig = {
    ...config,
    secretFiles: config.secretFiles.map(at),
    tls: config.tls && { certFile: at(config.tls.certFile), keyFile: at(config.tls.keyFile) },
  };
  const secrets = resolved.secretFiles.map((path, index) => {
    try {
      if ((statSync(path).mode & 0o077) !== 0)
        problems.push(`secretFiles.${index}: ${path} is readable by others`);
      const secret = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      if (!TURN_SECRET_PATTERN.test(secret))
        problems.push(`secretFiles.${index}: ${path} must hold 32 to 256 characters of [A-Za-z0-9+/=_.-]`);
      return secret;
    } catch (error) {
      problems.push(
        `secretFiles.${index}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
      return '';
    }
  });
  if (new Set(secrets).size !== secrets.length) problems.push('secretFiles: the same secret appears twice');
  if (
    resolved.tls &&
    ![resolved.tls.certFile, resolved.tls.keyFile].every((p) => confValue.safeParse(p).success)
  )
    problems.push('tls: no spaces, quotes, backslashes or # in the resolved paths');
  if (config.relay.minPort > config.relay.maxPort) problems.push('relay: minPort is above maxPort');
  if (problems.length > 0) throw new ConfigError(file, problems);
  return { config: resolved, secrets };
}
