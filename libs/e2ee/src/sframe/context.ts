/**
 * SFrame encryption and decryption (RFC 9605 §4.4.3, §4.4.4) and the per-participant contexts:
 *   ciphertext = header || AEAD.Encrypt(sframe_key, sframe_salt XOR CTR, header || metadata, plaintext)
 * SFrameSender owns the send counters (one per key, never repeated, §9.1); SFrameReceiver owns the
 * decryption keys and a replay window per KID (§9.3) that moves only for frames that authenticated.
 */
import { aeadDecrypt, aeadEncrypt } from './aead';
import { type Bytes, type U64Like, U64_MAX, concatBytes, toU64 } from './bytes';
import { SFrameError } from './errors';
import { type DecodedHeader, MAX_HEADER_LENGTH, decodeHeader, writeHeader } from './header';
import { type BaseKey, SFrameKey, deriveKeyMaterial, keyFingerprint } from './keys';
import { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replay';
import { DEFAULT_SUITE, type SFrameSuite, suiteParams } from './suites';

export interface EncryptOptions {
  /** Bytes authenticated with the frame but not encrypted nor included (§4.4.3, §9.4). */
  metadata?: Uint8Array;
  /**
   * Return metadata || header || ciphertext instead of header || ciphertext: a per-frame layout that keeps the
   * metadata in clear in front (see frame/) then costs no extra copy of the frame.
   */
  prependMetadata?: boolean;
}

/**
 * SFrame encrypt(CTR, KID, metadata, plaintext) with the caller's CTR. The caller guarantees that `ctr` is
 * never used twice with `key` (nonce reuse breaks the AEAD); outside test vectors use SFrameSender.
 */
export async function sframeEncrypt(
  key: SFrameKey,
  ctr: U64Like,
  plaintext: Uint8Array,
  options: EncryptOptions = {},
): Promise<Bytes> {
  const c = toU64(ctr, 'CTR');
  const metadata = options.metadata ?? new Uint8Array(0);
  const prefix = options.prependMetadata ? metadata.length : 0;
  const nonce = key.nonce(c);
  // One output buffer: [metadata] header ciphertext; the AAD is header || metadata.
  const scratch = new Uint8Array(MAX_HEADER_LENGTH);
  const headerLength = writeHeader(scratch, 0, key.kid, c);
  const header = scratch.subarray(0, headerLength);
  const aad = metadata.length === 0 ? header : concatBytes(header, metadata);
  const ct = await aeadEncrypt(key.aead, nonce, aad, plaintext);
  const out = new Uint8Array(prefix + headerLength + ct.length);
  if (prefix > 0) out.set(metadata, 0);
  out.set(header, prefix);
  out.set(ct, prefix + headerLength);
  return out;
}

/**
 * SFrame decrypt(metadata, ciphertext) with a known key: the plaintext, or SFrameError('auth_failed'). The
 * header must already be decoded (its KID must be the key's); no replay check happens here.
 */
export async function sframeDecrypt(
  key: SFrameKey,
  header: DecodedHeader,
  ciphertext: Uint8Array,
  metadata?: Uint8Array,
): Promise<Bytes> {
  if (header.kid !== key.kid) {
    throw new SFrameError('unknown_kid', `the key is for KID ${key.kid}, not ${header.kid}`);
  }
  const headerBytes = ciphertext.subarray(0, header.length);
  const aad = metadata && metadata.length > 0 ? concatBytes(headerBytes, metadata) : headerBytes;
  return aeadDecrypt(key.aead, key.nonce(header.ctr), aad, ciphertext.subarray(header.length));
}

function suiteOption(suite: number | undefined): SFrameSuite {
  return suiteParams(suite ?? DEFAULT_SUITE).id;
}

export interface SFrameSenderOptions {
  /** Cipher suite of every key of this sender; default AES_256_GCM_SHA512_128. */
  suite?: SFrameSuite;
  /**
   * Highest CTR a key may use; encrypt() throws 'counter_exhausted' beyond it. Default 2^64 - 1, the most the
   * header can carry (§4.3); a lower value forces re-keying after that many frames.
   */
  maxCounter?: U64Like;
}

interface SendState {
  readonly key: SFrameKey;
  next: bigint;
}

/**
 * Encrypts frames under the sender's own keys. Each key's counter starts at 0 and only goes up, and a key
 * (base_key, KID) is never installed twice in one SFrameSender, so no (key, nonce) pair repeats. A KID may
 * come back with another base key (MLS-keyed KIDs repeat every 2^E epochs, RFC 9605 §5.2): that is another
 * key, whose counter starts at 0. One base_key must feed exactly one SFrameSender (§4.4.1): two senders on one
 * key would repeat counters.
 */
export class SFrameSender {
  readonly suite: SFrameSuite;
  readonly maxCounter: bigint;
  readonly #keys = new Map<bigint, SendState>();
  /**
   * The fingerprint of every key ever installed or being installed (keyFingerprint: one-way, no key
   * material): never again, since a reinstalled key would restart at CTR 0. One entry per key, i.e. per epoch.
   */
  readonly #used = new Set<string>();
  readonly #pending: Pending = new Map();

  constructor(options: SFrameSenderOptions = {}) {
    this.suite = suiteOption(options.suite);
    this.maxCounter = options.maxCounter === undefined ? U64_MAX : toU64(options.maxCounter, 'maxCounter');
  }

  /**
   * Derives and installs the key of (`kid`, `baseKey`) (§4.4.2) for encryption only, with its counter at 0;
   * a key the KID had before is erased. Throws 'kid_in_use' if this sender ever had this same key (same KID
   * and base key), even if it was removed since.
   */
  async addKey(kid: U64Like, baseKey: BaseKey): Promise<void> {
    const k = toU64(kid, 'KID');
    const key = await derivePending(this.#pending, k, async () => {
      const fingerprint = await keyFingerprint(this.suite, baseKey, k);
      if (this.#used.has(fingerprint)) {
        throw new SFrameError(
          'kid_in_use',
          `the key of KID ${k} was already used by this sender; take a new base key or KID`,
        );
      }
      this.#used.add(fingerprint);
      return deriveKeyMaterial(this.suite, baseKey, k, 'encrypt');
    });
    if (key === undefined) return;
    this.#keys.get(k)?.key.erase();
    this.#keys.set(k, { key, next: 0n });
  }

  hasKey(kid: U64Like): boolean {
    return this.#keys.has(toU64(kid, 'KID'));
  }

  /** The CTR the next frame under `kid` will carry, if the KID is installed. */
  nextCounter(kid: U64Like): bigint | undefined {
    return this.#keys.get(toU64(kid, 'KID'))?.next;
  }

  /** Erases the key of `kid`, and any being derived (those keys stay unusable: the KID takes only a new base key). */
  removeKey(kid: U64Like): boolean {
    const k = toU64(kid, 'KID');
    this.#keys.get(k)?.key.erase();
    const pending = this.#pending.delete(k);
    return this.#keys.delete(k) || pending;
  }

  /** header || ciphertext of `plaintext` under `kid` with its next counter (see EncryptOptions for metadata). */
  async encrypt(kid: U64Like, plaintext: Uint8Array, options?: EncryptOptions): Promise<Bytes> {
    const k = toU64(kid, 'KID');
    const state = this.#keys.get(k);
    if (!state) throw new SFrameError('unknown_kid', `no sending key for KID ${k}`);
    const ctr = state.next;
    if (ctr > this.maxCounter) {
      throw new SFrameError('counter_exhausted', `the counter of KID ${k} is exhausted`);
    }
    // Taken before the first await, so concurrent calls never share a counter; a failed encryption burns its CTR.
    state.next = ctr + 1n;
    return sframeEncrypt(state.key, ctr, plaintext, options);
  }

  /** Erases every key. */
  dispose(): void {
    for (const state of this.#keys.values()) state.key.erase();
    this.#keys.clear();
    this.#pending.clear();
  }
}

/** KIDs whose key is being derived, each with the token of the addKey() call deriving it. */
type Pending = Map<bigint, object>;

/**
 * Derives a key for `kid` while marking it pending; resolves to undefined (the key erased) if the KID was
 * removed, or its owner disposed, before the derivation finished.
 */
async function derivePending(
  pending: Pending,
  kid: bigint,
  derive: () => Promise<SFrameKey>,
): Promise<SFrameKey | undefined> {
  const token = {};
  pending.set(kid, token);
  const settle = (): boolean => pending.get(kid) === token && pending.delete(kid);
  let key: SFrameKey;
  try {
    key = await derive();
  } catch (err) {
    settle();
    throw err;
  }
  if (settle()) return key;
  key.erase();
  return undefined;
}

export interface SFrameReceiverOptions {
  /** Cipher suite of every key of this receiver; default AES_256_GCM_SHA512_128. */
  suite?: SFrameSuite;
  /** Counters remembered per KID below the highest one seen; default 128. */
  replayWindow?: number;
}

export interface DecryptedFrame {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** A fresh buffer of its own. */
  readonly plaintext: Bytes;
}

interface ReceiveState {
  readonly key: SFrameKey;
  readonly window: ReplayWindow;
}

/** Decrypts frames of other participants: keys by KID, each with its own replay window. */
export class SFrameReceiver {
  readonly suite: SFrameSuite;
  readonly replayWindow: number;
  readonly #keys = new Map<bigint, ReceiveState>();
  readonly #pending: Pending = new Map();

  constructor(options: SFrameReceiverOptions = {}) {
    this.suite = suiteOption(options.suite);
    this.replayWindow = options.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    new ReplayWindow(this.replayWindow); // validates the size now rather than at the first key
  }

  /**
   * Derives and installs the decryption key of `kid` with an empty replay window. Throws 'kid_in_use' while
   * the KID is installed: remove it first (which also forgets its replay window) to replace it.
   */
  async addKey(kid: U64Like, baseKey: BaseKey): Promise<void> {
    const k = toU64(kid, 'KID');
    if (this.#keys.has(k) || this.#pending.has(k)) {
      throw new SFrameError('kid_in_use', `KID ${k} already has a key; remove it first`);
    }
    const key = await derivePending(this.#pending, k, () =>
      deriveKeyMaterial(this.suite, baseKey, k, 'decrypt'),
    );
    if (key) this.#keys.set(k, { key, window: new ReplayWindow(this.replayWindow) });
  }

  hasKey(kid: U64Like): boolean {
    return this.#keys.has(toU64(kid, 'KID'));
  }

  /** Erases the key of `kid` and its replay window; frames still being decrypted under it are refused. */
  removeKey(kid: U64Like): boolean {
    const k = toU64(kid, 'KID');
    this.#keys.get(k)?.key.erase();
    return this.#pending.delete(k) || this.#keys.delete(k);
  }

  /**
   * Decrypts one SFrame ciphertext (header || ciphertext) with the `metadata` it was sent with. Throws
   * SFrameError: 'bad_header', 'unknown_kid', 'replay' or 'auth_failed'. The replay window of the KID
   * moves only once the frame authenticated.
   */
  async decrypt(data: Uint8Array, metadata?: Uint8Array): Promise<DecryptedFrame> {
    const header = decodeHeader(data);
    const state = this.#keys.get(header.kid);
    if (!state) throw new SFrameError('unknown_kid', `no key for KID ${header.kid}`);
    // Checked before decrypting to spare the work, and again after: a copy may have been decrypting meanwhile.
    const verdict = state.window.check(header.ctr);
    if (verdict !== 'fresh') throw replayError(header, verdict);
    const plaintext = await sframeDecrypt(state.key, header, data, metadata);
    if (this.#keys.get(header.kid) !== state) {
      throw new SFrameError('unknown_kid', `the key of KID ${header.kid} was removed during decryption`);
    }
    if (!state.window.accept(header.ctr)) throw replayError(header, state.window.check(header.ctr));
    return { kid: header.kid, ctr: header.ctr, plaintext };
  }

  /** Erases every key. */
  dispose(): void {
    for (const state of this.#keys.values()) state.key.erase();
    this.#keys.clear();
    this.#pending.clear();
  }
}

function replayError(header: DecodedHeader, verdict: string): SFrameError {
  const why = verdict === 'too_old' ? 'is older than the replay window' : 'was already received';
  return new SFrameError('replay', `CTR ${header.ctr} of KID ${header.kid} ${why}`);
}
