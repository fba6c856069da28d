import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The Ed25519 key that signs audit checkpoints (PKCS#8 PEM file, owner-only). */
export class CheckpointKey {
  /** First 16 hex digits of the SHA-256 of the raw public key. */
  readonly keyId: string;

  private constructor(
    private readonly privateKey: KeyObject | undefined,
    readonly publicKey: KeyObject,
  ) {
    this.keyId = keyIdOf(publicKey);
  }

  /** Reads the key from `file`, generating it (mode 0600, directory 0700) when the file does not exist. */
  static loadOrCreate(file: string): CheckpointKey {
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    }
    return CheckpointKey.fromPem(readFileSync(file, 'utf8'));
  }

  static fromPem(pem: string): CheckpointKey {
    if (pem.includes('PRIVATE KEY')) {
      const privateKey = createPrivateKey(pem);
      if (privateKey.asymmetricKeyType !== 'ed25519')
        throw new Error('the audit checkpoint key must be Ed25519');
      return new CheckpointKey(privateKey, createPublicKey(privateKey));
    }
    const publicKey = createPublicKey(pem);
    if (publicKey.asymmetricKeyType !== 'ed25519')
      throw new Error('the audit checkpoint key must be Ed25519');
    return new CheckpointKey(undefined, publicKey);
  }

  get canSign(): boolean {
    return this.privateKey !== undefined;
  }

  /** The public key (SPKI PEM), for evaluators who verify the trail away from the appliance. */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(message: string): string {
    if (this.privateKey === undefined) throw new Error('this checkpoint key holds no private part');
    return sign(null, Buffer.from(message, 'utf8'), this.privateKey).toString('base64url');
  }

  verify(message: string, signature: string): boolean {
    try {
      return verify(null, Buffer.from(message, 'utf8'), this.publicKey, Buffer.from(signature, 'base64url'));
    } catch {
      return false;
    }
  }
}

function keyIdOf(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'jwk' }).x!;
  return createHash('sha256').update(Buffer.from(raw, 'base64url')).digest('hex').slice(0, 16);
}
