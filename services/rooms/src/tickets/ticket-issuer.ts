import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, type JWK } from 'jose';
import {
  JOIN_TICKET_AUDIENCE,
  JOIN_TICKET_ISSUER,
  JOIN_TICKET_MAX_LIFETIME_SECONDS,
  type E2eeSuite,
  type JoinTicketClaims,
  type MediaSource,
  type Right,
} from '@conclave/protocol';
import type { Clock } from '@conclave/server-kit';

export interface TicketRequest {
  userId: string;
  meetingId: string;
  participantId: string;
  name: string;
  rights: readonly Right[];
  /** The meeting's MLS suite: the SFU creates the room's group with it and refuses a ticket naming another. */
  mlsSuite: E2eeSuite;
  /** The meeting's powers version of this session's last change (`pv`): the SFU refuses tickets older than it. */
  powersVersion: number;
  /** Sources an organiser muted (`paused`): the SFU refuses to resume or produce them. */
  paused: readonly MediaSource[];
}

/**
 * Signs SFU join tickets (EdDSA over Ed25519, `libs/protocol/src/ticket.ts`): one meeting, one participant
 * session, the rights it holds now, the sources an organiser muted (`paused`), the version of its last change
 * (`pv`), the meeting's MLS suite (`mls_suite`), a life of at most five minutes. The
 * public key is served as a JWKS.
 */
export class TicketIssuer {
  readonly keyId: string;
  private readonly publicJwk: JWK;

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly lifetimeSeconds: number,
    private readonly clock: Clock,
  ) {
    const publicKey = createPublicKey(privateKey);
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    this.keyId = createHash('sha256')
      .update(Buffer.from(jwk.x!, 'base64url'))
      .digest('base64url')
      .slice(0, 16);
    this.publicJwk = { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, kid: this.keyId, alg: 'EdDSA', use: 'sig' };
  }

  /** Reads the key from `keyFile`, generating it (mode 0600) when absent. */
  static loadOrCreate(keyFile: string, lifetimeSeconds: number, clock: Clock): TicketIssuer {
    if (lifetimeSeconds > JOIN_TICKET_MAX_LIFETIME_SECONDS)
      throw new Error('join tickets live at most 300 s');
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
        flag: 'wx',
      });
    }
    const privateKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
    if (privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error(`${keyFile}: the ticket key must be Ed25519`);
    return new TicketIssuer(privateKey, lifetimeSeconds, clock);
  }

  /** The public key set the SFU checks tickets against. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  /** Writes the JWKS atomically (for the SFU's `tickets.jwksFile`). */
  writeJwks(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(this.jwks()), { mode: 0o644 });
    renameSync(`${file}.tmp`, file);
  }

  async issue(request: TicketRequest): Promise<{ ticket: string; expiresAtMs: number }> {
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = iat + this.lifetimeSeconds;
    const claims: Pick<JoinTicketClaims, 'room' | 'pid' | 'name' | 'rights' | 'mls_suite' | 'pv' | 'paused'> =
      {
        room: request.meetingId,
        pid: request.participantId,
        name: request.name,
        rights: [...request.rights],
        mls_suite: request.mlsSuite,
        pv: request.powersVersion,
        paused: [...request.paused],
      };
    const ticket = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: this.keyId, typ: 'JWT' })
      .setIssuer(JOIN_TICKET_ISSUER)
      .setAudience(JOIN_TICKET_AUDIENCE)
      .setSubject(request.userId)
      .setJti(randomBytes(16).toString('base64url'))
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.privateKey);
    return { ticket, expiresAtMs: exp * 1000 };
  }
}
