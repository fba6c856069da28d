/**
 * Key ring: MLS epochs → SFrame base keys and KIDs (RFC 9605 §5.2), with a grace period for the previous epoch
 * and erasure after it. No Node built-ins, no crypto of its own: the MLS exporter derives the keys.
 */
export { globalTimers, monotonicClock, type Clock, type Timers } from './clock';
export {
  DEFAULT_BASE_KEY_LENGTH,
  EpochKeys,
  SFRAME_EXPORTER_LABEL,
  type EpochExporterLike,
} from './epoch-keys';
export { DEFAULT_GRACE_MS, EpochKeyring, type EpochKeyringOptions, type ResolvedKid } from './keyring';
export {
  decodeKid,
  encodeKid,
  epochBitsOf,
  senderBitsFor,
  SFRAME_EPOCH_BITS,
  type KidLike,
  type KidParts,
} from './kid';
