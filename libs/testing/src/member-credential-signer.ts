import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import {
  MEMBER_CREDENTIAL_AUDIENCE,
  MEMBER_CREDENTIAL_ISSUER,
  MEMBER_CREDENTIAL_TYPE,
  type MemberCredentialKeySet,
} from '@conclave/protocol';

export interface MemberCredentialInput {
  user: string;
  room: string;
  participant: string;
  name?: string;
  /** The MLS signature public key the statement binds. */
  signatureKey: Uint8Array;
  /** Seconds from `issuedAt` (default 3600). */
  expiresIn?: number;
  issuedAt?: number;
}

/**
 * Signs member credentials the way room control does (ES256, `@conclave/protocol` member-credential.ts), for
 * tests of the SFU and the web page that run without room control (as `TicketSigner` stands in for its tickets).
 */
export class MemberCredentialSigner {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly keys: MemberCredentialKeySet,
    readonly keyId: string,
  ) {}

  static async create(): Promise<MemberCredentialSigner> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const keyId = randomUUID();
    const jwk = await exportJWK(publicKey);
    const keys: MemberCredentialKeySet = {
      keys: [{ kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, kid: keyId, alg: 'ES256', use: 'sig' }],
    };
    return new MemberCredentialSigner(privateKey, keys, keyId);
  }

  keySet(): MemberCredentialKeySet {
    return structuredClone(this.keys);
  }

  async sign(input: MemberCredentialInput): Promise<string> {
    const iat = input.issuedAt ?? Math.floor(Date.now() / 1000);
    return new SignJWT({
      room: input.room,
      pid: input.participant,
      name: input.name ?? input.user,
      spk: Buffer.from(input.signatureKey).toString('base64url'),
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId, typ: MEMBER_CREDENTIAL_TYPE })
      .setIssuer(MEMBER_CREDENTIAL_ISSUER)
      .setAudience(MEMBER_CREDENTIAL_AUDIENCE)
      .setSubject(input.user)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (input.expiresIn ?? 3600))
      .sign(this.privateKey);
  }

  /** A client's identity source (`@conclave/client` MemberIdentitySource) for one participant session. */
  identity(session: { user: string; room: string; participant: string; name?: string }) {
    return {
      meetingId: session.room,
      keySet: async (): Promise<unknown> => this.keySet(),
      credential: (signatureKey: Uint8Array) => this.sign({ ...session, signatureKey }),
    };
  }
}
