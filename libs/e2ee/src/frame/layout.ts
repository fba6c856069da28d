/**
 * Codec-aware frame layout: how many leading bytes of an encoded frame stay in clear so the SFU and the
 * receiving browser's depacketizer still see what they read from the payload.
 * - VP8: the uncompressed data chunk of RFC 6386 §9.1 — the 3-byte frame tag (P bit = bit 0 of byte 0, 0 on
 *   key frames), plus on key frames the start code 0x9d 0x01 0x2a and 2+2 bytes of width/height: 10 bytes on
 *   key frames, 3 on inter frames. mediasoup reads the P bit (keyframe detection for simulcast switching).
 * - VP9: 0. mediasoup reads only the RTP payload descriptor (RFC 9628 §4.2), which the packetizer writes from
 *   encoder metadata, not from the frame.
 * - Opus: 0 (RFC 7587: the RTP payload is the Opus packet; SFrame over it hides even the TOC byte).
 * Pure functions of the bytes: the receiver recomputes the same length from the same clear bytes.
 */

export type Codec = 'opus' | 'vp8' | 'vp9';

export const CODECS: readonly Codec[] = ['opus', 'vp8', 'vp9'];

export type FrameErrorCode =
  /** An empty frame: nothing to protect or unprotect. */
  | 'empty_frame'
  /** Shorter than its codec's clear part (or than clear part + SFrame header). */
  | 'truncated_frame'
  /** The clear part is not what the codec requires (e.g. a VP8 key frame without its start code). */
  | 'malformed_frame'
  /** The caller's key-frame flag disagrees with the frame's own (VP8 P bit). */
  | 'keyframe_mismatch'
  /** A codec this layout does not know. */
  | 'unsupported_codec';

export class FrameError extends Error {
  override readonly name = 'FrameError';

  constructor(
    readonly code: FrameErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** RFC 6386 §9.1: frame tag (3 bytes) + start code (3) + horizontal and vertical size (2 + 2). */
export const VP8_KEYFRAME_CLEAR_BYTES = 10;
/** RFC 6386 §9.1: the frame tag alone. */
export const VP8_INTERFRAME_CLEAR_BYTES = 3;
const VP8_START_CODE = [0x9d, 0x01, 0x2a] as const;

/** Whether a VP8 frame is a key frame, from its frame tag (RFC 6386 §9.1: P bit, bit 0 of byte 0, is 0). */
export function isVp8Keyframe(frame: Uint8Array): boolean {
  if (frame.length === 0) throw new FrameError('empty_frame', 'empty VP8 frame');
  return (frame[0] & 0x01) === 0;
}

function vp8ClearLength(frame: Uint8Array, isKeyframe: boolean | undefined): number {
  const keyframe = isVp8Keyframe(frame);
  if (isKeyframe !== undefined && isKeyframe !== keyframe) {
    throw new FrameError(
      'keyframe_mismatch',
      `VP8 frame tag says ${keyframe ? 'key' : 'inter'} frame, the caller ${isKeyframe ? 'key' : 'inter'} frame`,
    );
  }
  const clear = keyframe ? VP8_KEYFRAME_CLEAR_BYTES : VP8_INTERFRAME_CLEAR_BYTES;
  if (frame.length < clear) {
    throw new FrameError(
      'truncated_frame',
      `VP8 ${keyframe ? 'key' : 'inter'} frame of ${frame.length} bytes (needs ${clear})`,
    );
  }
  if (keyframe && VP8_START_CODE.some((b, i) => frame[3 + i] !== b)) {
    throw new FrameError('malformed_frame', 'VP8 key frame without the 9d 01 2a start code');
  }
  return clear;
}

/**
 * Leading bytes of `frame` that stay in clear (and are authenticated as SFrame metadata). `isKeyframe`, when
 * the caller knows it (RTCEncodedVideoFrame.type), is checked against the frame itself. Throws FrameError.
 */
export function clearPrefixLength(codec: Codec, frame: Uint8Array, isKeyframe?: boolean): number {
  switch (codec) {
    case 'vp8':
      return vp8ClearLength(frame, isKeyframe);
    case 'vp9':
    case 'opus':
      if (frame.length === 0) throw new FrameError('empty_frame', `empty ${codec} frame`);
      return 0;
    default:
      throw new FrameError('unsupported_codec', `no frame layout for codec ${String(codec)}`);
  }
}
