/** RTP fixed-header fields (RFC 3550 §5.1); the generator never sends CSRCs or header extensions. */
export interface RtpHeader {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
}

/** Size of the RTP fixed header without CSRCs (RFC 3550 §5.1). */
export const RTP_HEADER_BYTES = 12;

/** Encodes an RTP packet: version 2, no padding, no extension, no CSRC (RFC 3550 §5.1). */
export function encodeRtpPacket(header: RtpHeader, payload: Uint8Array): Uint8Array {
  const packet = new Uint8Array(RTP_HEADER_BYTES + payload.length);
  const view = new DataView(packet.buffer);
  packet[0] = 0x80;
  packet[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  view.setUint16(2, header.sequenceNumber & 0xffff);
  view.setUint32(4, header.timestamp >>> 0);
  view.setUint32(8, header.ssrc >>> 0);
  packet.set(payload, RTP_HEADER_BYTES);
  return packet;
}

/** Decodes the fixed header and locates the payload, skipping CSRCs, a header extension and padding. */
export function decodeRtpPacket(packet: Uint8Array): RtpHeader & { payload: Uint8Array } {
  if (packet.length < RTP_HEADER_BYTES || packet[0] >> 6 !== 2) throw new Error('not an RTP packet');
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  let start = RTP_HEADER_BYTES + 4 * (packet[0] & 0x0f);
  if (packet[0] & 0x10) start += 4 + 4 * view.getUint16(start + 2);
  const end = packet[0] & 0x20 ? packet.length - packet[packet.length - 1] : packet.length;
  if (start > end) throw new Error('truncated RTP packet');
  return {
    payloadType: packet[1] & 0x7f,
    marker: (packet[1] & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: packet.subarray(start, end),
  };
}
