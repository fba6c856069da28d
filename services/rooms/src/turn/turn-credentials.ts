import { readFileSync, statSync } from 'node:fs';
import type { IceServers } from '@conclave/protocol';
import { ConfigError } from '@conclave/server-kit';
import { issueTurnCredential, TURN_SECRET_PATTERN } from '@conclave/turn';
import type { RoomsConfig } from '../config';

export type RoomsTurnConfig = NonNullable<RoomsConfig['turn']>;

/**
 * Hands an admitted participant the appliance's TURN relay with a TURN REST credential (`expiry:userId`,
 * HMAC-SHA1 under the secret shared with coturn): bound to the user, expiring with its session.
 */
export class TurnCredentials {
  private constructor(
    private readonly config: RoomsTurnConfig,
    private readonly secret: string,
  ) {}

  /** Reads the signing secret; a file readable by others, or a weak secret, stops the start-up. */
  static load(config: RoomsTurnConfig): TurnCredentials {
    const file = config.secretFile;
    let secret: string;
    try {
      if ((statSync(file).mode & 0o077) !== 0)
        throw new ConfigError(file, [`turn.secretFile: readable by others`]);
      secret = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(file, [
        `turn.secretFile: cannot read it: ${(error as NodeJS.ErrnoException).code}`,
      ]);
    }
    if (!TURN_SECRET_PATTERN.test(secret))
      throw new ConfigError(file, ['turn.secretFile: must hold 32 to 256 characters of [A-Za-z0-9+/=_.-]']);
    return new TurnCredentials(config, secret);
  }

  /**
   * The ICE servers of one participant session: the credential stops working at the end of the session
   * (`sessionEndMs`, the meeting's end), never later than `credentialLifetimeSeconds` from now, and never before
   * `minimumEndMs` (the ticket's own expiry, so a meeting running over its end still gets a usable credential).
   */
  issue(userId: string, nowMs: number, sessionEndMs: number, minimumEndMs: number): IceServers {
    const cap = nowMs + this.config.credentialLifetimeSeconds * 1000;
    const credential = issueTurnCredential({
      secret: this.secret,
      userId,
      now: nowMs,
      expiresAt: Math.min(cap, Math.max(sessionEndMs, minimumEndMs)),
    });
    const name = this.config.serverName;
    const urls = [
      `turn:${name}:${this.config.port}?transport=udp`,
      `turn:${name}:${this.config.port}?transport=tcp`,
      ...(this.config.tlsPort !== undefined ? [`turns:${name}:${this.config.tlsPort}?transport=tcp`] : []),
    ];
    return {
      iceServers: [{ urls, username: credential.username, credential: credential.credential }],
      expiresAt: new Date(credential.expiresAt).toISOString(),
    };
  }
}
