/**
 * Codec-aware per-frame SFrame protection: which bytes of an Opus, VP8 or VP9 frame stay in clear for the SFU
 * (RFC 6386 §9.1 for VP8), authenticated as SFrame metadata (RFC 9605 §4.4.3), and the rest encrypted.
 */
export {
  CODECS,
  type Codec,
  FrameError,
  type FrameErrorCode,
  VP8_INTERFRAME_CLEAR_BYTES,
  VP8_KEYFRAME_CLEAR_BYTES,
  clearPrefixLength,
  isVp8Keyframe,
} from './layout';
export {
  type LooksLikeOptions,
  type ProtectOptions,
  type SFrameFrameInfo,
  type UnprotectedFrame,
  looksLikeSFrame,
  protectFrame,
  unprotectFrame,
} from './protect';
