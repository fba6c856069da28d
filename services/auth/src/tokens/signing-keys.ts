import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '@conclave/server-kit';

/** The one signing algorithm: EdDSA over Ed25519 (RFC 8037). */
export const SIGNING_ALGORITHM = 'EdDSA';

interface StoredKey {
  kid: string;
  createdAt: number;
  privateJwk: JWK;
}

export interface SigningKey {
  kid: string;
  createdAt: number;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface SigningKeysOptions {
  dir: string;
  rotationSeconds: number;
  overlapSeconds: number;
}

const RESCAN_MS = 30_000;

/**
 * Ed25519 signing keys kept as 0600 JWK files in one directory (shared by the replicas of the service).
 * The newest key signs; a new one is made once it is `rotationSeconds` old; a replaced key stays published
 * in the JWKS for `overlapSeconds` after its successor appeared, then its file is deleted.
 */
export class SigningKeys {
  private keys: SigningKey[] = [];
  private scannedAt = -Infinity;

  constructor(
    private readonly options: SigningKeysOptions,
    private readonly clock: Clock,
  ) {}

  /** The key to sign with now (made or rotated on demand). */
  async current(): Promise<SigningKey> {
    await this.refresh();
    return this.keys[this.keys.length - 1]!;
  }

  /** Public keys to publish: the current one and those still inside their overlap window. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.refresh();
    return {
      keys: this.keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: SIGNING_ALGORITHM, use: 'sig' })),
    };
  }

  private async refresh(): Promise<void> {
    const now = this.clock.now();
    if (now - this.scannedAt >= RESCAN_MS || now < this.scannedAt) await this.scan();
    const newest = this.keys[this.keys.length - 1];
    if (newest === undefined || now - newest.createdAt >= this.options.rotationSeconds * 1000) {
      await this.generate(now);
      await this.scan();
    }
  }

  private async scan(): Promise<void> {
    const now = this.clock.now();
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    const stored = readdirSync(this.options.dir)
      .filter((f) => f.endsWith('.jwk.json'))
      .map((f) => JSON.parse(readFileSync(join(this.options.dir, f), 'utf8')) as StoredKey)
      .sort((a, b) => a.createdAt - b.createdAt || a.kid.localeCompare(b.kid));
    const live: StoredKey[] = [];
    stored.forEach((key, i) => {
      const successor = stored[i + 1];
      const expired =
        successor !== undefined && now - successor.createdAt >= this.options.overlapSeconds * 1000;
      if (expired) rmSync(join(this.options.dir, `${key.kid}.jwk.json`), { force: true });
      else live.push(key);
    });
    this.keys = await Promise.all(
      live.map(async (key) => {
        const { d: _d, ...publicJwk } = key.privateJwk;
        return {
          kid: key.kid,
          createdAt: key.createdAt,
          publicJwk,
          privateKey: (await importJWK(key.privateJwk, SIGNING_ALGORITHM)) as CryptoKey,
        };
      }),
    );
    this.scannedAt = now;
  }

  private async generate(now: number): Promise<void> {
    const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { crv: 'Ed25519', extractable: true });
    const stored: StoredKey = { kid: randomUUID(), createdAt: now, privateJwk: await exportJWK(privateKey) };
    const file = join(this.options.dir, `${stored.kid}.jwk.json`);
    writeFileSync(file, JSON.stringify(stored), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
}
