/**
 * Per-frame SFrame protection (RFC 9605 §4.1, applied per frame) with the codec's clear prefix kept in front:
 *   protected frame = clear prefix || SFrame header || AEAD ciphertext and tag
 * where the clear prefix (layout.ts) is the SFrame metadata (§4.4.3): in the AAD, so any change to it fails
 * authentication. The receiver derives the prefix length from the clear bytes alone, as the sender did.
 */
import {
  DEFAULT_SUITE,
  type SFrameReceiver,
  type SFrameSender,
  type U64Like,
  decodeHeader,
  suiteParams,
} from '../sframe';
import { type Codec, FrameError, clearPrefixLength } from './layout';

export interface ProtectOptions {
  /** The encoder's key-frame flag when known (RTCEncodedVideoFrame.type === 'key'); checked against the frame. */
  isKeyframe?: boolean;
}

/** clear prefix || SFrame(header || ciphertext) of an encoded frame, a fresh buffer of its own. */
export async function protectFrame(
  sender: SFrameSender,
  kid: U64Like,
  codec: Codec,
  frame: Uint8Array,
  options: ProtectOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const clear = clearPrefixLength(codec, frame, options.isKeyframe);
  return sender.encrypt(kid, frame.subarray(clear), {
    metadata: frame.subarray(0, clear),
    prependMetadata: true,
  });
}

export interface UnprotectedFrame {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** The encoded frame as the sender's encoder produced it, a fresh buffer of its own. */
  readonly frame: Uint8Array<ArrayBuffer>;
}

/**
 * Reverses protectFrame(). Throws FrameError when the clear part is unusable, SFrameError otherwise
 * ('bad_header', 'unknown_kid', 'replay', 'auth_failed' — the latter also when a clear byte was changed).
 */
export async function unprotectFrame(
  receiver: SFrameReceiver,
  codec: Codec,
  data: Uint8Array,
): Promise<UnprotectedFrame> {
  const clear = clearPrefixLength(codec, data);
  if (clear >= data.length) throw new FrameError('truncated_frame', `${codec} frame has no SFrame part`);
  const metadata = data.subarray(0, clear);
  const { kid, ctr, plaintext } = await receiver.decrypt(data.subarray(clear), metadata);
  if (clear === 0) return { kid, ctr, frame: plaintext };
  const frame = new Uint8Array(clear + plaintext.length);
  frame.set(metadata, 0);
  frame.set(plaintext, clear);
  return { kid, ctr, frame };
}

export interface SFrameFrameInfo {
  readonly kid: bigint;
  readonly ctr: bigint;
  /** Bytes in clear before the SFrame header. */
  readonly clearLength: number;
  readonly headerLength: number;
}

export interface LooksLikeOptions {
  /** Suite whose tag length the payload must have room for; default AES_256_GCM_SHA512_128. */
  suite?: number;
  /** Accept only these KIDs: without it, plaintext often parses too (any first byte is a valid short header). */
  kids?: Iterable<U64Like>;
}

/**
 * Whether `payload` (a whole forwarded frame, e.g. an RTP payload with the RTP payload descriptor removed)
 * has the layout of a protected frame: a valid clear prefix, a parseable SFrame header, room for the tag, and
 * a KID among `kids` if given. Returns the header's KID and CTR, or null. Never throws, proves nothing about
 * authenticity: it is for taps and tests watching what the SFU forwards.
 */
export function looksLikeSFrame(
  codec: Codec,
  payload: Uint8Array,
  options: LooksLikeOptions = {},
): SFrameFrameInfo | null {
  try {
    const clearLength = clearPrefixLength(codec, payload);
    const { kid, ctr, length: headerLength } = decodeHeader(payload, clearLength);
    if (payload.length < clearLength + headerLength + suiteParams(options.suite ?? DEFAULT_SUITE).nt)
      return null;
    if (options.kids !== undefined && ![...options.kids].some((k) => BigInt(k) === kid)) return null;
    return { kid, ctr, clearLength, headerLength };
  } catch {
    return null;
  }
}
