import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, type JWK } from 'jose';
import {
  MEMBER_CREDENTIAL_AUDIENCE,
  MEMBER_CREDENTIAL_ISSUER,
  MEMBER_CREDENTIAL_LIFETIME_SECONDS,
  MEMBER_CREDENTIAL_TYPE,
  type MemberCredentialClaims,
  type MemberCredentialKeySet,
} from '@conclave/protocol';
import type { Clock } from '@conclave/server-kit';

export interface MemberCredentialRequestInput {
  userId: string;
  meetingId: string;
  participantId: string;
  name: string;
  /** The MLS signature public key, base64url. */
  signatureKey: string;
}

/**
 * Signs member credentials (`@conclave/protocol` member-credential.ts): ES256 over P-256, with a key of its own,
 * distinct from the join-ticket key (another `kid`, another `typ`, never in the SFU's JWKS), so the SFU can
 * neither mint a credential nor pass a ticket for one.
 */
export class MemberCredentialIssuer {
  readonly keyId: string;
  private readonly keys: MemberCredentialKeySet;

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly clock: Clock,
  ) {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
    this.keyId = createHash('sha256')
      .update(Buffer.from(`${jwk.x}.${jwk.y}`))
      .digest('base64url')
      .slice(0, 16);
    this.keys = {
      keys: [{ kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, kid: this.keyId, alg: 'ES256', use: 'sig' }],
    };
  }

  /** Reads the P-256 key from `keyFile` (PKCS#8 PEM), generating it (mode 0600) when absent. */
  static loadOrCreate(keyFile: string, clock: Clock): MemberCredentialIssuer {
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
        flag: 'wx',
      });
    }
    const privateKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
    if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new Error(`${keyFile}: the member-credential key must be ECDSA P-256`);
    return new MemberCredentialIssuer(privateKey, clock);
  }

  /** The public keys clients check every member's credential with. */
  keySet(): MemberCredentialKeySet {
    return structuredClone(this.keys);
  }

  async issue(request: MemberCredentialRequestInput): Promise<{ credential: string; expiresAtMs: number }> {
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = iat + MEMBER_CREDENTIAL_LIFETIME_SECONDS;
    const claims: Pick<MemberCredentialClaims, 'room' | 'pid' | 'name' | 'spk'> = {
      room: request.meetingId,
      pid: request.participantId,
      name: request.name,
      spk: request.signatureKey,
    };
    const credential = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId, typ: MEMBER_CREDENTIAL_TYPE })
      .setIssuer(MEMBER_CREDENTIAL_ISSUER)
      .setAudience(MEMBER_CREDENTIAL_AUDIENCE)
      .setSubject(request.userId)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.privateKey);
    return { credential, expiresAtMs: exp * 1000 };
  }
}
