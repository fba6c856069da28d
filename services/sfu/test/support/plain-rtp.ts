import { createSocket } from 'node:dgram';
import type { MediaSource } from '@conclave/protocol';
import type { SignallingClient } from '@conclave/client';
import { rtpPacket, rtpReceiver, vp8Payload } from '@conclave/testing';

const VP8_PAYLOAD_TYPE = 101;
const OPUS_PAYLOAD_TYPE = 100;

/** A publisher on a plain RTP transport (comedia): `send` pushes synthetic frames into the SFU. */
export async function publishPlain(client: SignallingClient, source: MediaSource, ssrc: number) {
  const kind = source === 'microphone' || source === 'screen-audio' ? 'audio' : 'video';
  const transport = await client.request('createTransport', { direction: 'send', transport: 'plain' });
  if (transport.transport !== 'plain') throw new Error('expected a plain transport');
  const codec =
    kind === 'video'
      ? {
          mimeType: 'video/VP8',
          payloadType: VP8_PAYLOAD_TYPE,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
        }
      : { mimeType: 'audio/opus', payloadType: OPUS_PAYLOAD_TYPE, clockRate: 48000, channels: 2 };
  const { producerId } = await client.request('produce', {
    transportId: transport.transportId,
    source,
    kind,
    rtpParameters: { codecs: [codec], encodings: [{ ssrc }], headerExtensions: [] },
  });
  const socket = createSocket('udp4');
  /** RTCP the SFU sent back to this publisher (receiver reports, keyframe requests). */
  const rtcp: Buffer[] = [];
  socket.on('message', (message) => rtcp.push(message));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  // A test that fails before closing it must not keep its process (and the test runner) waiting.
  socket.unref();
  let sequence = 1;
  let timestamp = 1000;
  return {
    producerId,
    transportId: transport.transportId,
    rtcp,
    /** Picture Loss Indications received (RFC 4585 §6.3.1: payload-specific feedback, PT 206, FMT 1). */
    pliCount: () => rtcp.reduce((n, packet) => n + countPli(packet), 0),
    /** Sends `count` one-packet frames whose payload starts with `marker` bytes (the first a keyframe). */
    async send(count: number, marker = 'frame'): Promise<void> {
      for (let i = 0; i < count; i++) {
        const body = Buffer.from(`${marker}-${sequence}`.padEnd(40, '.'));
        const payload = kind === 'video' ? vp8Payload(body, sequence === 1 || i === 0) : body;
        const packet = rtpPacket({
          payloadType: codec.payloadType,
          sequence,
          timestamp,
          ssrc,
          marker: true,
          payload,
        });
        sequence++;
        timestamp += kind === 'video' ? 3000 : 960;
        await new Promise<void>((resolve, reject) =>
          socket.send(packet, transport.port, transport.ip, (error) => (error ? reject(error) : resolve())),
        );
      }
    },
    close: () => socket.close(),
  };
}

/** A subscriber on a plain RTP transport receiving one producer; `receiver.packets` collects what arrives. */
export async function subscribePlain(client: SignallingClient, producerId: string) {
  const receiver = await rtpReceiver();
  const transport = await client.request('createTransport', { direction: 'recv', transport: 'plain' });
  await client.request('connectPlainTransport', {
    transportId: transport.transportId,
    ip: '127.0.0.1',
    port: receiver.port,
  });
  const consumer = await client.request('consume', { transportId: transport.transportId, producerId });
  await client.request('resumeConsumer', { consumerId: consumer.consumerId });
  return { consumer, receiver, transportId: transport.transportId };
}

/** Waits until `condition` holds, polling; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** PLIs in a compound RTCP packet. */
function countPli(packet: Buffer): number {
  let count = 0;
  for (let offset = 0; offset + 4 <= packet.length;) {
    const fmt = packet[offset]! & 0x1f;
    const type = packet[offset + 1]!;
    if (type === 206 && fmt === 1) count++;
    offset += 4 * (packet.readUInt16BE(offset + 2) + 1);
  }
  return count;
}
