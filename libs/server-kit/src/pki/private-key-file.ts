import { createCipheriv, createPrivateKey, pbkdf2Sync, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Why a PKI operation was refused; `code` is stable for scripts and tests. */
export class PkiError extends Error {
  constructor(
    readonly code:
      | 'key_file_exposed'
      | 'wrong_passphrase'
      | 'weak_passphrase'
      | 'not_initialised'
      | 'already_initialised'
      | 'not_found'
      | 'bad_input',
    message: string,
  ) {
    super(message);
    this.name = 'PkiError';
  }
}

/** PBKDF2-HMAC-SHA256 iterations for an encrypted key (OWASP 2023 figure; OpenSSL's default is 2048). */
const PBKDF2_ITERATIONS = 600_000;
/** A passphrase protecting the root CA key must resist offline guessing. */
export const MIN_PASSPHRASE_LENGTH = 12;

/** Refuses a secret file that anyone but its owner can read or write (mode & 077). */
export function assertOwnerOnly(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new PkiError(
      'key_file_exposed',
      `${path} is accessible by group or others (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 on it`,
    );
}

/** Writes a file atomically (temporary file + rename) so a watcher never reads half of it. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, data, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}

/**
 * Writes a private key as PKCS#8 PEM, mode 0600; under a passphrase it is an RFC 8018 PBES2
 * EncryptedPrivateKeyInfo (PBKDF2-HMAC-SHA256, AES-256-CBC) that `openssl pkey` also reads.
 */
export function writePrivateKeyFile(path: string, key: KeyObject, passphrase?: string): void {
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const body = passphrase === undefined ? der : encryptPkcs8(der, passphrase);
  const label = passphrase === undefined ? 'PRIVATE KEY' : 'ENCRYPTED PRIVATE KEY';
  writeFileAtomic(path, pem(label, body), 0o600);
}

/** Reads a private key, refusing a file group/others can access and a wrong passphrase. */
export function readPrivateKeyFile(path: string, passphrase?: string): KeyObject {
  if (!existsSync(path)) throw new PkiError('not_found', `${path} does not exist`);
  assertOwnerOnly(path);
  const text = readFileSync(path, 'utf8');
  const encrypted = text.includes('ENCRYPTED PRIVATE KEY');
  if (encrypted && passphrase === undefined)
    throw new PkiError('wrong_passphrase', `${path} is encrypted: a passphrase is required`);
  try {
    return createPrivateKey(
      encrypted ? { key: text, format: 'pem', passphrase } : { key: text, format: 'pem' },
    );
  } catch {
    throw new PkiError(
      encrypted ? 'wrong_passphrase' : 'bad_input',
      encrypted ? `wrong passphrase for ${path}` : `${path} is not a PEM private key`,
    );
  }
}

/** Reads a passphrase file (first line), refusing one readable by group/others. */
export function readPassphraseFile(path: string): string {
  if (!existsSync(path)) throw new PkiError('not_found', `passphrase file ${path} does not exist`);
  assertOwnerOnly(path);
  return readFileSync(path, 'utf8').split(/\r?\n/)[0]!;
}

function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

// RFC 8018 object identifiers (PKCS #5 v2.1, appendix A and B).
const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_HMAC_SHA256 = '1.2.840.113549.2.9';
const OID_AES256_CBC = '2.16.840.1.101.3.4.1.42';

function encryptPkcs8(der: Buffer, passphrase: string): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, PBKDF2_ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(der), cipher.final()]);
  const algorithm = seq(
    oid(OID_PBES2),
    seq(
      seq(
        oid(OID_PBKDF2),
        seq(octets(salt), integer(PBKDF2_ITERATIONS), seq(oid(OID_HMAC_SHA256), Buffer.from([0x05, 0x00]))),
      ),
      seq(oid(OID_AES256_CBC), octets(iv)),
    ),
  );
  return seq(algorithm, octets(encrypted));
}

function tlv(tag: number, body: Buffer): Buffer {
  const length =
    body.length < 0x80
      ? Buffer.from([body.length])
      : (() => {
          const bytes: number[] = [];
          for (let n = body.length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
          return Buffer.from([0x80 | bytes.length, ...bytes]);
        })();
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const octets = (bytes: Buffer) => tlv(0x04, bytes);

function integer(value: number): Buffer {
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  if (bytes.length === 0 || bytes[0]! >= 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let n = arc >> 7; n > 0; n >>= 7) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
