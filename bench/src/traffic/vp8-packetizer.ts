/** A VP8 frame as the encoder would hand it to the packetizer; the bitstream itself is opaque filler. */
export interface Vp8Frame {
  keyFrame: boolean;
  /** 15-bit picture ID (RFC 7741 §4.2, M = 1). */
  pictureId: number;
  /** Size of the compressed frame (frame header included). */
  frameBytes: number;
  width: number;
  height: number;
}

/** Bytes of the payload descriptor the packetizer writes: X, I with a 15-bit PictureID (RFC 7741 §4.2). */
export const VP8_DESCRIPTOR_BYTES = 4;
/** Offset of the PictureID within the payload descriptor. */
export const VP8_PICTURE_ID_OFFSET = 2;
const KEY_FRAME_HEADER_BYTES = 10; // RFC 6386 §9.1: 3-byte frame tag + start code + dimensions
const INTER_FRAME_HEADER_BYTES = 3; // RFC 6386 §9.1: frame tag only

/** The RFC 7741 §4.2 payload descriptor: X = 1, S on the first packet, PID 0, I = 1, 15-bit PictureID. */
export function vp8PayloadDescriptor(pictureId: number, startOfPartition: boolean): Uint8Array {
  return Uint8Array.of(
    0x80 | (startOfPartition ? 0x10 : 0),
    0x80,
    0x80 | ((pictureId >> 8) & 0x7f),
    pictureId & 0xff,
  );
}

/** The uncompressed data chunk that starts a VP8 frame (RFC 6386 §9.1), show_frame = 1, version 0. */
export function vp8FrameHeader(
  keyFrame: boolean,
  firstPartitionBytes: number,
  width: number,
  height: number,
): Uint8Array {
  const tag = (keyFrame ? 0 : 1) | 0x10 | ((firstPartitionBytes & 0x7ffff) << 5);
  const header = new Uint8Array(keyFrame ? KEY_FRAME_HEADER_BYTES : INTER_FRAME_HEADER_BYTES);
  header[0] = tag & 0xff;
  header[1] = (tag >> 8) & 0xff;
  header[2] = (tag >> 16) & 0xff;
  if (keyFrame) {
    header.set([0x9d, 0x01, 0x2a], 3);
    header[6] = width & 0xff;
    header[7] = (width >> 8) & 0x3f;
    header[8] = height & 0xff;
    header[9] = (height >> 8) & 0x3f;
  }
  return header;
}

/** True when a payload starts a VP8 keyframe, by the same test mediasoup applies (S, PID 0, P bit clear). */
export function isVp8KeyFramePayload(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  let offset = 0;
  const first = payload[0];
  if (first & 0x80) {
    const ext = payload[++offset];
    if (ext & 0x80) offset += payload[offset + 1] & 0x80 ? 2 : 1;
    if (ext & 0x40) offset += 1;
    if (ext & 0x30) offset += 1;
  }
  offset += 1;
  return (
    offset < payload.length && (first & 0x10) !== 0 && (first & 0x07) === 0 && (payload[offset] & 0x01) === 0
  );
}

/**
 * Splits a frame into RTP payloads of at most `maxPayloadBytes`, sized as evenly as possible (as libwebrtc does),
 * each starting with the payload descriptor; the first carries the frame header. `fill` supplies the opaque
 * bitstream bytes.
 */
export function packetizeVp8Frame(
  frame: Vp8Frame,
  maxPayloadBytes: number,
  fill: (out: Uint8Array) => void,
): Uint8Array[] {
  const header = vp8FrameHeader(frame.keyFrame, Math.floor(frame.frameBytes / 4), frame.width, frame.height);
  const frameBytes = Math.max(frame.frameBytes, header.length);
  const perPacket = maxPayloadBytes - VP8_DESCRIPTOR_BYTES;
  if (perPacket <= header.length)
    throw new Error(`maxPayloadBytes ${maxPayloadBytes} leaves no room for the frame header`);
  const count = Math.ceil(frameBytes / perPacket);
  const payloads: Uint8Array[] = [];
  let written = 0;
  for (let i = 0; i < count; i++) {
    const chunk = Math.floor((frameBytes * (i + 1)) / count) - Math.floor((frameBytes * i) / count);
    const payload = new Uint8Array(VP8_DESCRIPTOR_BYTES + chunk);
    payload.set(vp8PayloadDescriptor(frame.pictureId, i === 0), 0);
    fill(payload.subarray(VP8_DESCRIPTOR_BYTES));
    if (i === 0) payload.set(header, VP8_DESCRIPTOR_BYTES);
    payloads.push(payload);
    written += chunk;
  }
  if (written !== frameBytes) throw new Error('VP8 packetizer lost bytes');
  return payloads;
}
