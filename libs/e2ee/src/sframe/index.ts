/**
 * SFrame (RFC 9605) over WebCrypto: header (§4.3), key derivation (§4.4.2), encryption and decryption
 * (§4.4.3, §4.4.4), the cipher suites of §4.5 plus the registry's AES-256-CTR/HMAC-SHA512 ones, and
 * per-participant contexts with send counters and receive replay windows. Runs in browsers, workers and Node.
 * Lower-level pieces (raw key derivation, encryption with a caller-chosen CTR) stay module-private: they
 * serve the test vectors and the auditor's checker, and would let live code reuse a nonce.
 */
export { SFrameError, type SFrameErrorCode } from './errors';
export { DEFAULT_SUITE, SFrameSuite, type SuiteParams, suiteParams, supportedSuites } from './suites';
export { type U64Like, U64_MAX } from './bytes';
export {
  type DecodedHeader,
  MAX_HEADER_LENGTH,
  type SFrameHeader,
  decodeHeader,
  encodeHeader,
  headerLength,
} from './header';
export type { KeyRole } from './aead';
export { type BaseKey, SFrameKey, deriveKeyMaterial } from './keys';
export { DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW, ReplayWindow, type ReplayVerdict } from './replay';
export {
  type DecryptedFrame,
  type EncryptOptions,
  SFrameReceiver,
  type SFrameReceiverOptions,
  SFrameSender,
  type SFrameSenderOptions,
} from './context';
