/**
 * One MLS epoch's SFrame key material (RFC 9605 §5.2):
 *
 *   base_key = MLS-Exporter("SFrame 1.0 Base Key", "", AEAD.Nk)
 *
 * One base key per epoch, shared by the epoch's members; each sender's KID (kid.ts) enters the SFrame key and
 * salt derivation (RFC 9605 §4.4.2, label "SFrame 1.0 Secret key " + KID + cipher_suite), so every
 * (epoch, sender, context) gets its own key and salt. The SFrame layer does that derivation.
 *
 * Note: drafts of RFC 9605 (and the `cisco/sframe` library) derived a per-sender base key
 * `HKDF-Expand(sframe_epoch_secret, encode_big_endian(sender_index, ·), ·)` under another exporter label;
 * the published RFC dropped that step. This module follows the RFC.
 */
import { decodeKid, encodeKid, epochBitsOf, senderBitsFor, type KidParts } from './kid';

/** RFC 9605 §5.2 exporter label. */
export const SFRAME_EXPORTER_LABEL = 'SFrame 1.0 Base Key';

/** AEAD.Nk of AES_256_GCM_SHA512_128 (RFC 9605 §4.5 Table 1), Conclave's SFrame suite. */
export const DEFAULT_BASE_KEY_LENGTH = 32;

/** What the keyring needs from an MLS member for one epoch (the MLS adapter's `epochExporter()` fits). */
export interface EpochExporterLike {
  readonly epoch: bigint;
  /** Leaf indices of the epoch's members. */
  readonly memberIndices: readonly number[];
  /** RFC 9420 §8.5 MLS-Exporter. */
  exportSecret(label: string, context: Uint8Array, length: number): Promise<Uint8Array>;
}

export class EpochKeys {
  private erased = false;
  /** S of RFC 9605 §5.2 for this epoch. */
  readonly senderBits: number;
  private readonly members: ReadonlySet<number>;

  private constructor(
    readonly epoch: bigint,
    memberIndices: readonly number[],
    private readonly key: Uint8Array,
  ) {
    this.members = new Set(memberIndices);
    this.senderBits = senderBitsFor(Math.max(0, ...memberIndices));
  }

  /**
   * Exports the epoch's base key. `baseKeyLength` is AEAD.Nk of the SFrame cipher suite in use (RFC 9605 §4.5:
   * 16 for AES_128_GCM_SHA256_128, 32 for AES_256_GCM_SHA512_128, 48 for the AES-128-CTR-HMAC suites).
   */
  static async fromExporter(
    exporter: EpochExporterLike,
    options: { baseKeyLength?: number } = {},
  ): Promise<EpochKeys> {
    const length = options.baseKeyLength ?? DEFAULT_BASE_KEY_LENGTH;
    if (!Number.isSafeInteger(length) || length <= 0 || length > 0xffff)
      throw new RangeError(`bad base key length ${length}`);
    if (exporter.memberIndices.length === 0) throw new RangeError('an epoch has at least one member');
    const key = await exporter.exportSecret(SFRAME_EXPORTER_LABEL, new Uint8Array(0), length);
    return new EpochKeys(exporter.epoch, [...exporter.memberIndices], key);
  }

  /** The E low bits of this epoch. */
  get epochBits(): bigint {
    return epochBitsOf(this.epoch);
  }

  get isErased(): boolean {
    return this.erased;
  }

  hasMember(senderIndex: number): boolean {
    return this.members.has(senderIndex);
  }

  /** The base key: the keyring's own buffer, zeroed on erasure. Use it, do not keep or modify it. */
  get baseKey(): Uint8Array {
    if (this.erased) throw new Error(`epoch ${this.epoch} keys were erased`);
    return this.key;
  }

  /** The KID of `senderIndex` (a member of this epoch) with `context`. */
  kidFor(senderIndex: number, context = 0n): bigint {
    if (!this.members.has(senderIndex))
      throw new RangeError(`leaf ${senderIndex} is not a member of epoch ${this.epoch}`);
    return encodeKid(this.epoch, senderIndex, this.senderBits, context);
  }

  /** The parts of `kid` under this epoch's S (the caller matched its epoch bits). */
  parts(kid: bigint): KidParts {
    return decodeKid(kid, this.senderBits);
  }

  /** Zeroes the base key. Idempotent. */
  erase(): void {
    this.key.fill(0);
    this.erased = true;
  }
}
