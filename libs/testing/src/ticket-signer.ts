import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import {
  JOIN_TICKET_AUDIENCE,
  JOIN_TICKET_ISSUER,
  RIGHTS,
  type E2eeSuite,
  type MediaSource,
  type Right,
} from '@conclave/protocol';

export interface TicketClaimsInput {
  user: string;
  room: string;
  participant?: string;
  name?: string;
  rights?: readonly Right[];
  /** The meeting's MLS suite (`mls_suite`); absent, the SFU's default. */
  mlsSuite?: E2eeSuite;
  /** Seconds from now. */
  expiresIn?: number;
  /** Override standard claims (tests of refusals). */
  issuer?: string;
  audience?: string;
  issuedAt?: number;
  jti?: string;
  /** The meeting's powers version (`pv`); 0 when absent, older than any organiser change. */
  powersVersion?: number;
  /** Sources an organiser muted (`paused`). */
  paused?: readonly MediaSource[];
}

/**
 * Signs join tickets the way the room-control service will (EdDSA/Ed25519), for tests and the embedded
 * development set-up. The public half is written as a JWKS file for the SFU's `tickets.jwksFile`.
 */
export class TicketSigner {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly jwksFile: string,
    readonly keyId: string,
  ) {}

  static async create(dir: string): Promise<TicketSigner> {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const keyId = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid: keyId, alg: 'EdDSA', use: 'sig' };
    const jwksFile = join(dir, 'tickets.jwks.json');
    await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));
    return new TicketSigner(privateKey, jwksFile, keyId);
  }

  async sign(input: TicketClaimsInput): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const iat = input.issuedAt ?? now;
    return new SignJWT({
      room: input.room,
      pid: input.participant ?? `p-${randomUUID().slice(0, 8)}`,
      name: input.name ?? input.user,
      rights: [...(input.rights ?? RIGHTS)],
      ...(input.mlsSuite !== undefined ? { mls_suite: input.mlsSuite } : {}),
      pv: input.powersVersion ?? 0,
      ...(input.paused !== undefined ? { paused: [...input.paused] } : {}),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.keyId })
      .setIssuer(input.issuer ?? JOIN_TICKET_ISSUER)
      .setAudience(input.audience ?? JOIN_TICKET_AUDIENCE)
      .setSubject(input.user)
      .setJti(input.jti ?? randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + (input.expiresIn ?? 60))
      .sign(this.privateKey);
  }
}
