import { createSocket, type Socket } from 'node:dgram';

/** A minimal RTP packet (RFC 3550 §5.1): version 2, no CSRC, no extension. */
export function rtpPacket(fields: {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  payload: Uint8Array;
}): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (fields.marker ? 0x80 : 0) | (fields.payloadType & 0x7f);
  header.writeUInt16BE(fields.sequence & 0xffff, 2);
  header.writeUInt32BE(fields.timestamp >>> 0, 4);
  header.writeUInt32BE(fields.ssrc >>> 0, 8);
  return Buffer.concat([header, fields.payload]);
}

/** Parses the fixed RTP header; undefined for RTCP or anything else. */
export function parseRtp(
  packet: Buffer,
): { payloadType: number; sequence: number; ssrc: number; payload: Buffer } | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  const payloadType = packet[1]! & 0x7f;
  if (payloadType >= 72 && payloadType <= 79) return undefined; // RTCP (RFC 5761 §4)
  const csrcCount = packet[0]! & 0x0f;
  let offset = 12 + 4 * csrcCount;
  if (packet[0]! & 0x10) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  return {
    payloadType,
    sequence: packet.readUInt16BE(2),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset),
  };
}

/**
 * An RTP payload carrying a VP8 frame: payload descriptor (RFC 7741 §4.2, S=1, PID=0) then the frame's
 * uncompressed header (RFC 6386 §9.1: 3-byte frame tag, P bit clear on keyframes, and on keyframes the start
 * code 9d 01 2a and 4 bytes of dimensions), then `body`.
 */
export function vp8Payload(body: Uint8Array, keyframe: boolean): Buffer {
  const tag = Buffer.from([keyframe ? 0x10 : 0x11, 0x02, 0x00]);
  const keyframeHeader = keyframe ? Buffer.from([0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00]) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from([0x10]), tag, keyframeHeader, body]);
}

/** A UDP socket on 127.0.0.1 that records the RTP it receives. */
export async function rtpReceiver(): Promise<{
  socket: Socket;
  port: number;
  packets: Buffer[];
  close(): void;
}> {
  const socket = createSocket('udp4');
  const packets: Buffer[] = [];
  socket.on('message', (message) => packets.push(message));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  // A test that fails before closing it must not keep its process (and the test runner) waiting.
  socket.unref();
  return { socket, port: socket.address().port, packets, close: () => socket.close() };
}
