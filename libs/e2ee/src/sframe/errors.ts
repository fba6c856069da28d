/**
 * The one error class of the SFrame library (RFC 9605). Messages carry KIDs and counters (public, they travel
 * in the clear header, §7.1) but never key material.
 */

export type SFrameErrorCode =
  /** The SFrame header is truncated, non-minimal or otherwise not as §4.3 requires. */
  | 'bad_header'
  /** No key is installed for the header's KID (§4.4.4 lets the caller buffer and retry). */
  | 'unknown_kid'
  /** The AEAD tag does not verify: wrong key, or header, metadata, ciphertext or tag altered. */
  | 'auth_failed'
  /** The counter was already accepted for this KID, or is older than the replay window. */
  | 'replay'
  /** The sender's counter for this key is used up; a new key (KID) is needed (§4.3, §9.1). */
  | 'counter_exhausted'
  /** A cipher suite id that is not in the SFrame registry (§8.1) or not implemented. */
  | 'unsupported_suite'
  /** Key material of the wrong length or kind, or a key already erased. */
  | 'bad_key'
  /**
   * A key that cannot be installed: a sender never reinstalls a (base_key, KID) key it had (its counter would
   * restart and reuse nonces, §9.1); a receiver's KID already has a key.
   */
  | 'kid_in_use'
  /** A KID, counter, size or option outside its range. */
  | 'invalid_argument';

export class SFrameError extends Error {
  override readonly name = 'SFrameError';

  constructor(
    readonly code: SFrameErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
