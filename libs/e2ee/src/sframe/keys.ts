/**
 * SFrame key derivation (RFC 9605 §4.4.2) and the per-KID key object:
 *   sframe_secret = HKDF-Extract("", base_key)
 *   sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  || KID || cipher_suite, Nk)
 *   sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " || KID || cipher_suite, Nn)
 * with KID as a 64-bit and cipher_suite as a 16-bit big-endian integer, and the suite's hash. The nonce of a
 * frame is sframe_salt XOR CTR, the CTR as a big-endian integer of Nn bytes (§4.4.3).
 */
import { AeadKey, type KeyRole, importAeadKey } from './aead';
import { type Bytes, type U64Like, bufferSource, toU64, wipe, writeU64 } from './bytes';
import { SFrameError } from './errors';
import { type SuiteParams, suiteParams } from './suites';

/** A base_key: raw bytes (not kept, not wiped: the caller owns them) or an HKDF CryptoKey allowed to deriveBits. */
export type BaseKey = Uint8Array | CryptoKey;

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const encoder = new TextEncoder();
const KEY_LABEL = encoder.encode('SFrame 1.0 Secret key ');
const SALT_LABEL = encoder.encode('SFrame 1.0 Secret salt ');
/** Conclave's own label (not RFC 9605's): domain-separated from the key and salt, so it reveals neither. */
const FINGERPRINT_LABEL = encoder.encode('Conclave SFrame key id ');
/** 128 bits: two distinct keys share a fingerprint with probability ~2^-128 (2^-64 over 2^32 keys). */
const FINGERPRINT_LENGTH = 16;
const EMPTY = new Uint8Array(0);

function label(prefix: Uint8Array, kid: bigint, suite: number): Bytes {
  const out = new Uint8Array(prefix.length + 10);
  out.set(prefix);
  writeU64(out, prefix.length, kid);
  out[prefix.length + 8] = suite >> 8;
  out[prefix.length + 9] = suite & 0xff;
  return out;
}

/** The HKDF info strings of §4.4.2 for (suite, kid). */
export function derivationLabels(suite: number, kid: U64Like): { key: Bytes; salt: Bytes } {
  const k = toU64(kid, 'KID');
  return { key: label(KEY_LABEL, k, suite), salt: label(SALT_LABEL, k, suite) };
}

async function importBaseKey(baseKey: BaseKey): Promise<CryptoKey> {
  if (!(baseKey instanceof Uint8Array)) {
    if (baseKey.algorithm.name !== 'HKDF' || !baseKey.usages.includes('deriveBits')) {
      throw new SFrameError('bad_key', 'a base_key CryptoKey must be an HKDF key usable for deriveBits');
    }
    return baseKey;
  }
  if (baseKey.length === 0) throw new SFrameError('bad_key', 'the base_key is empty');
  return subtle().importKey('raw', bufferSource(baseKey), 'HKDF', false, ['deriveBits', 'deriveKey']);
}

async function expand(suite: SuiteParams, base: CryptoKey, info: Bytes, length: number): Promise<Bytes> {
  const params: HkdfParams = { name: 'HKDF', hash: suite.hash, salt: EMPTY, info };
  return new Uint8Array(await subtle().deriveBits(params, base, length * 8));
}

/**
 * sframe_key and sframe_salt as raw bytes, for test vectors and audits. Live code uses deriveKeyMaterial(),
 * which never leaves the key bytes lying around; whoever calls this one wipes the result.
 */
export async function deriveKeySalt(
  suite: number,
  baseKey: BaseKey,
  kid: U64Like,
): Promise<{ key: Bytes; salt: Bytes }> {
  const params = suiteParams(suite);
  const labels = derivationLabels(suite, kid);
  const base = await importBaseKey(baseKey);
  const [key, salt] = await Promise.all([
    expand(params, base, labels.key, params.nk),
    expand(params, base, labels.salt, params.nn),
  ]);
  return { key, salt };
}

/**
 * A one-way identifier of the SFrame key of (`baseKey`, `kid`, `suite`):
 *   HKDF-Expand(sframe_secret, "Conclave SFrame key id " || KID || cipher_suite, 16), as hex.
 * Equal for the same key, distinct otherwise; a sender keeps it after erasing the key to refuse that key
 * again (its counter would restart at 0 and repeat nonces, RFC 9605 §9.1), without keeping key material.
 */
export async function keyFingerprint(suite: number, baseKey: BaseKey, kid: U64Like): Promise<string> {
  const params = suiteParams(suite);
  const base = await importBaseKey(baseKey);
  const id = await expand(
    params,
    base,
    label(FINGERPRINT_LABEL, toU64(kid, 'KID'), suite),
    FINGERPRINT_LENGTH,
  );
  return Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The keys of one KID: an AEAD key that may only encrypt or only decrypt, and the salt for nonces. erase()
 * zeroes the salt and drops the CryptoKeys (which are non-extractable, so no other copy of the key bytes
 * exists in JavaScript).
 */
export class SFrameKey {
  #aead: AeadKey;
  #salt: Bytes | null;

  /** @internal Use deriveKeyMaterial(). */
  constructor(
    readonly kid: bigint,
    aead: AeadKey,
    salt: Bytes,
  ) {
    if (salt.length !== aead.suite.nn) {
      throw new SFrameError('bad_key', `the salt must be ${aead.suite.nn} bytes`);
    }
    this.#aead = aead;
    this.#salt = salt;
  }

  get suite(): SuiteParams {
    return this.#aead.suite;
  }

  get role(): KeyRole {
    return this.#aead.role;
  }

  get erased(): boolean {
    return this.#salt === null;
  }

  /** @internal */
  get aead(): AeadKey {
    return this.#aead;
  }

  /** nonce = sframe_salt XOR CTR, the CTR big-endian over Nn bytes (§4.4.3); `ctr` must be in [0, 2^64). */
  nonce(ctr: bigint): Bytes {
    const salt = this.#salt;
    if (salt === null) throw new SFrameError('bad_key', 'the key was erased');
    const nonce = new Uint8Array(salt);
    const tail = new Uint8Array(8);
    writeU64(tail, 0, ctr);
    const at = nonce.length - 8;
    for (let i = 0; i < 8; i++) nonce[at + i] ^= tail[i];
    return nonce;
  }

  /** Zeroes the salt and drops the CryptoKeys; every later use throws SFrameError('bad_key'). */
  erase(): void {
    wipe(this.#salt ?? undefined);
    this.#salt = null;
    this.#aead.erase();
  }
}

/**
 * Derives the key and salt of `kid` from `baseKey` (§4.4.2) and imports the key as non-extractable CryptoKeys
 * usable for `role` only. For AES-GCM suites the key bytes never reach JavaScript; for CTR_HMAC suites
 * (whose key WebCrypto cannot split) they are wiped right after the import.
 */
export async function deriveKeyMaterial(
  suite: number,
  baseKey: BaseKey,
  kid: U64Like,
  role: KeyRole,
): Promise<SFrameKey> {
  const params = suiteParams(suite);
  const k = toU64(kid, 'KID');
  const labels = derivationLabels(suite, k);
  const base = await importBaseKey(baseKey);
  const [aead, salt] = await Promise.all([
    deriveAeadKey(params, base, labels.key, role),
    expand(params, base, labels.salt, params.nn),
  ]);
  return new SFrameKey(k, aead, salt);
}

async function deriveAeadKey(
  params: SuiteParams,
  base: CryptoKey,
  info: Bytes,
  role: KeyRole,
): Promise<AeadKey> {
  if (params.aead === 'AES-GCM' && base.usages.includes('deriveKey')) {
    const hkdf: HkdfParams = { name: 'HKDF', hash: params.hash, salt: EMPTY, info };
    const key = await subtle().deriveKey(hkdf, base, { name: 'AES-GCM', length: params.nk * 8 }, false, [
      role,
    ]);
    return new AeadKey(params, role, key, null);
  }
  const raw = await expand(params, base, info, params.nk);
  try {
    return await importAeadKey(params, raw, role);
  } finally {
    wipe(raw);
  }
}
