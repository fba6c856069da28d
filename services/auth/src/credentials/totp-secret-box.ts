import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSource } from 'typeorm';
import { UserEntity } from '../storage/entities';

/** Prefix of a sealed secret; anything else in the column is a secret stored in clear by an older version. */
const SEALED = 'v1.';
/** AES-256-GCM with a 96-bit random nonce (NIST SP 800-38D §8.2.2) and a 128-bit tag. */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals TOTP secrets for the database with a 256-bit key kept in a file outside it (`totp.secretKeyFile`):
 * AES-256-GCM, the user id as associated data so a sealed secret cannot be moved to another account. A copy of
 * the database alone no longer yields anyone's second factor.
 */
export class TotpSecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Reads the key file (64 hex digits), creating it (0600) with a random key when it does not exist. */
  static loadOrCreate(file: string): TotpSecretBox {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    }
    const text = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error(`${file}: the TOTP key must be 64 hex digits`);
    return new TotpSecretBox(Buffer.from(text, 'hex'));
  }

  seal(userId: string, base32Secret: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(`conclave-totp:${userId}`));
    const sealed = Buffer.concat([
      nonce,
      cipher.update(base32Secret, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return SEALED + sealed.toString('base64url');
  }

  /** The base32 secret; a value stored in clear by an older version is returned as is. */
  open(userId: string, stored: string): string {
    if (!TotpSecretBox.isSealed(stored)) return stored;
    const bytes = Buffer.from(stored.slice(SEALED.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(`conclave-totp:${userId}`));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(SEALED);
  }

  /** Seals the secrets an older version stored in clear (run at start-up); resolves how many were sealed. */
  async sealStoredInClear(db: DataSource): Promise<number> {
    const users = db.getRepository(UserEntity);
    const rows = await users
      .createQueryBuilder('u')
      .where(`(u.totp_secret IS NOT NULL AND u.totp_secret NOT LIKE 'v1.%')`)
      .orWhere(`(u.totp_pending_secret IS NOT NULL AND u.totp_pending_secret NOT LIKE 'v1.%')`)
      .getMany();
    for (const row of rows) {
      const reseal = (value: string | null) =>
        value === null || TotpSecretBox.isSealed(value) ? value : this.seal(row.id, value);
      await users.update(
        { id: row.id },
        { totpSecret: reseal(row.totpSecret), totpPendingSecret: reseal(row.totpPendingSecret) },
      );
    }
    return rows.length;
  }
}
