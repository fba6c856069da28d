/**
 * The AEADs of RFC 9605 §4.5 over WebCrypto: AES-GCM as is, and the §4.5.1 encrypt-then-MAC construction
 * (AES-CTR with the 32-bit block counter starting at nonce || 0x00000000, then HMAC over
 * len(aad) || len(ct) || Nt || nonce || aad || ct, each length a 64-bit big-endian integer, truncated to Nt).
 * Keys are non-extractable CryptoKeys that can only encrypt or only decrypt (§4.4.1: never both).
 */
import { type Bytes, bufferSource, constantTimeEqual } from './bytes';
import { SFrameError } from './errors';
import type { SuiteParams } from './suites';

/** What a key may do: a base_key is marked for encryption or decryption, never both (§4.4.1). */
export type KeyRole = 'encrypt' | 'decrypt';

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

/** An imported AEAD key: opaque CryptoKeys (the raw bytes are not kept). */
export class AeadKey {
  #enc: CryptoKey | null;
  #auth: CryptoKey | null;

  /** @internal Build with importAeadKey() or the SFrame key derivation. */
  constructor(
    readonly suite: SuiteParams,
    readonly role: KeyRole,
    enc: CryptoKey,
    auth: CryptoKey | null,
  ) {
    this.#enc = enc;
    this.#auth = auth;
  }

  get erased(): boolean {
    return this.#enc === null;
  }

  /** Drops the CryptoKeys; every later use throws SFrameError('bad_key'). */
  erase(): void {
    this.#enc = null;
    this.#auth = null;
  }

  /** @internal */
  keys(role: KeyRole): { enc: CryptoKey; auth: CryptoKey | null } {
    if (this.#enc === null) throw new SFrameError('bad_key', 'the key was erased');
    if (role !== this.role) throw new SFrameError('bad_key', `this key may only ${this.role}`);
    return { enc: this.#enc, auth: this.#auth };
  }
}

/**
 * Imports a raw AEAD key of `suite.nk` bytes (for CTR_HMAC: enc_key || auth_key, §4.5.1 derive_subkeys) as
 * non-extractable CryptoKeys. The caller keeps ownership of `raw` (wipe it when done).
 */
export async function importAeadKey(suite: SuiteParams, raw: Uint8Array, role: KeyRole): Promise<AeadKey> {
  if (raw.length !== suite.nk) {
    throw new SFrameError('bad_key', `${suite.name} needs a ${suite.nk}-byte key, got ${raw.length}`);
  }
  const bytes = bufferSource(raw);
  if (suite.aead === 'AES-GCM') {
    return new AeadKey(suite, role, await subtle().importKey('raw', bytes, 'AES-GCM', false, [role]), null);
  }
  const [enc, auth] = await Promise.all([
    subtle().importKey('raw', bytes.subarray(0, suite.nka), 'AES-CTR', false, [role]),
    // Truncated tags cannot go through subtle.verify: both sides compute the HMAC and compare.
    subtle().importKey('raw', bytes.subarray(suite.nka), { name: 'HMAC', hash: suite.hash }, false, ['sign']),
  ]);
  return new AeadKey(suite, role, enc, auth);
}

/** 16-byte AES-CTR initial counter block: nonce || 0x00000000 (§4.5.1). */
function counterBlock(nonce: Uint8Array): Bytes {
  const block = new Uint8Array(16);
  block.set(nonce);
  return block;
}

const AUTH_PREFIX = 24; // aad_len || ct_len || tag_len, 8 bytes each

function writeLength(out: Uint8Array, offset: number, value: number): void {
  // Lengths of a frame stay far below 2^53; the high bytes are written as zeros.
  let v = value;
  for (let i = offset + 7; i >= offset; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/**
 * Lays out auth_data = aad_len || ct_len || tag_len || nonce || aad || ct followed by `tail` spare bytes, with
 * `ct` left for the caller to fill in at the returned offset.
 */
function authData(suite: SuiteParams, nonce: Uint8Array, aad: Uint8Array, ctLength: number, tail: number) {
  const ctOffset = AUTH_PREFIX + nonce.length + aad.length;
  const buf = new Uint8Array(ctOffset + ctLength + tail);
  writeLength(buf, 0, aad.length);
  writeLength(buf, 8, ctLength);
  writeLength(buf, 16, suite.nt);
  buf.set(nonce, AUTH_PREFIX);
  buf.set(aad, AUTH_PREFIX + nonce.length);
  return { buf, ctOffset };
}

async function hmac(auth: CryptoKey | null, data: Bytes): Promise<Bytes> {
  if (auth === null) throw new SFrameError('bad_key', 'missing authentication subkey');
  return new Uint8Array(await subtle().sign('HMAC', auth, data));
}

/** WebCrypto AES-GCM parameters: the SFrame nonce, the AAD (header and metadata), an Nt-byte tag. */
function gcmParams(suite: SuiteParams, nonce: Uint8Array, aad: Uint8Array): AesGcmParams {
  return {
    name: 'AES-GCM',
    iv: bufferSource(nonce),
    additionalData: bufferSource(aad),
    tagLength: suite.nt * 8,
  };
}

function checkNonce(suite: SuiteParams, nonce: Uint8Array): void {
  if (nonce.length !== suite.nn) {
    throw new SFrameError(
      'invalid_argument',
      `${suite.name} needs a ${suite.nn}-byte nonce, got ${nonce.length}`,
    );
  }
}

/** AEAD.Encrypt(key, nonce, aad, pt): ciphertext || tag, `pt.length + suite.nt` bytes. */
export async function aeadEncrypt(
  key: AeadKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  pt: Uint8Array,
): Promise<Bytes> {
  const { enc, auth } = key.keys('encrypt');
  const suite = key.suite;
  checkNonce(suite, nonce);
  if (suite.aead === 'AES-GCM') {
    return new Uint8Array(await subtle().encrypt(gcmParams(suite, nonce, aad), enc, bufferSource(pt)));
  }
  const ct = new Uint8Array(
    await subtle().encrypt(
      { name: 'AES-CTR', counter: counterBlock(nonce), length: 32 },
      enc,
      bufferSource(pt),
    ),
  );
  // One buffer serves as auth_data and, past the aad, as ct || tag: the ciphertext is copied only once.
  const { buf, ctOffset } = authData(suite, nonce, aad, ct.length, suite.nt);
  buf.set(ct, ctOffset);
  const tagAt = ctOffset + ct.length;
  const tag = await hmac(auth, buf.subarray(0, tagAt));
  buf.set(tag.subarray(0, suite.nt), tagAt);
  return buf.subarray(ctOffset);
}

/** AEAD.Decrypt(key, nonce, aad, ct || tag): the plaintext, or SFrameError('auth_failed'). */
export async function aeadDecrypt(
  key: AeadKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  ct: Uint8Array,
): Promise<Bytes> {
  const { enc, auth } = key.keys('decrypt');
  const suite = key.suite;
  checkNonce(suite, nonce);
  if (ct.length < suite.nt) throw new SFrameError('auth_failed', 'ciphertext shorter than the tag');
  if (suite.aead === 'AES-GCM') {
    try {
      return new Uint8Array(await subtle().decrypt(gcmParams(suite, nonce, aad), enc, bufferSource(ct)));
    } catch (err) {
      throw authError(err);
    }
  }
  const innerLength = ct.length - suite.nt;
  const { buf, ctOffset } = authData(suite, nonce, aad, innerLength, 0);
  buf.set(ct.subarray(0, innerLength), ctOffset);
  const candidate = await hmac(auth, buf);
  if (!constantTimeEqual(candidate.subarray(0, suite.nt), ct.subarray(innerLength))) {
    throw new SFrameError('auth_failed', 'SFrame authentication tag does not verify');
  }
  const inner = buf.subarray(ctOffset);
  return new Uint8Array(
    await subtle().decrypt({ name: 'AES-CTR', counter: counterBlock(nonce), length: 32 }, enc, inner),
  );
}

function authError(err: unknown): Error {
  // WebCrypto reports a failed tag check as an OperationError; anything else is a bug to surface as is.
  if (err instanceof Error && err.name === 'OperationError') {
    return new SFrameError('auth_failed', 'SFrame authentication tag does not verify', { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}
