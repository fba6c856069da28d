import type { Page } from 'playwright-core';
import { looksLikeSFrame } from '@conclave/e2ee';
import { subscribePlain } from '../../../sfu/test/support/plain-rtp';
import type { MeetingFixture } from './meeting-fixture';

/**
 * A wiretap on what the SFU forwards of one participant's camera: a consumer on a plain RTP transport, as an
 * attacker on the SFU host would see it. Reassembles whole VP8 frames (payload descriptors removed), i.e.
 * exactly the protected frames the sender's transform produced.
 */
export interface FrameTap {
  /** Complete frames received so far, in order. */
  frames(): Buffer[];
  /**
   * Waits for `count` more complete frames whose KID is one of `kids`, and returns them; with `fromKeyframe`,
   * asks the sender for a keyframe and starts at it.
   */
  next(
    count: number,
    kids: readonly bigint[],
    options?: { fromKeyframe?: boolean; timeoutMs?: number },
  ): Promise<Buffer[]>;
  close(): void;
}

export async function tapCamera(
  meeting: MeetingFixture,
  room: string,
  participantId: string,
): Promise<FrameTap> {
  const tap = await meeting.sfu.join({
    user: 'wiretap',
    room,
    participant: `wiretap-${participantId}`,
    rights: ['consume'],
  });
  const joined = await tap.client.request('join', { rtpCapabilities: tap.hello.routerRtpCapabilities });
  const camera = joined.producers.find((p) => p.participantId === participantId && p.source === 'camera');
  if (camera === undefined) throw new Error(`${participantId} publishes no camera`);
  const { receiver, consumer } = await subscribePlain(tap.client, camera.producerId);
  const frames = () => reassemble(receiver.packets);
  return {
    frames,
    async next(count, kids, { fromKeyframe = false, timeoutMs = 15_000 } = {}) {
      const from = frames().length;
      const deadline = Date.now() + timeoutMs;
      if (fromKeyframe) await tap.client.request('requestKeyFrame', { consumerId: consumer.consumerId });
      for (;;) {
        let fresh = frames()
          .slice(from)
          .filter((f) => looksLikeSFrame('vp8', f, { kids }) !== null);
        // RFC 6386 §9.1: the P bit of the frame tag (in clear) is 0 on keyframes.
        if (fromKeyframe)
          fresh = fresh.slice(
            Math.max(
              0,
              fresh.findIndex((f) => (f[0]! & 0x01) === 0),
            ),
          );
        if (fresh.length >= count && (!fromKeyframe || (fresh[0]![0]! & 0x01) === 0))
          return fresh.slice(0, count);
        if (Date.now() > deadline) {
          const all = frames().slice(from);
          const seen = all.map((f) => looksLikeSFrame('vp8', f)?.kid).slice(0, 5);
          throw new Error(
            `the tap saw ${fresh.length} of ${count} frames (${all.length} frames, ${receiver.packets.length} packets, KIDs ${seen.join(',')} not in ${kids.join(',')})`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close() {
      receiver.close();
      tap.client.close();
    },
  };
}

/** VP8 over RTP (RFC 7741): frames end at the marker bit; a frame with a missing packet is left out. */
function reassemble(packets: readonly Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  let parts: Buffer[] = [];
  let expected: number | undefined;
  let timestamp: number | undefined;
  for (const packet of packets) {
    const payloadType = packet[1]! & 0x7f;
    if (packet.length < 12 || (payloadType >= 72 && payloadType <= 79)) continue; // RTCP (RFC 5761 §4)
    const sequence = packet.readUInt16BE(2);
    const ts = packet.readUInt32BE(4);
    const marker = (packet[1]! & 0x80) !== 0;
    const { start, data } = vp8Payload(rtpPayload(packet));
    if (start) parts = [];
    else if (ts !== timestamp || sequence !== expected) parts = []; // a gap: drop the partial frame
    if (start || parts.length > 0) parts.push(data);
    timestamp = ts;
    expected = (sequence + 1) & 0xffff;
    if (marker && parts.length > 0) {
      frames.push(Buffer.concat(parts));
      parts = [];
    }
  }
  return frames;
}

function rtpPayload(packet: Buffer): Buffer {
  let offset = 12 + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  return packet.subarray(offset);
}

/** Strips the VP8 payload descriptor (RFC 7741 §4.2) and says whether this packet starts a frame. */
export function vp8Payload(payload: Buffer): { start: boolean; data: Buffer } {
  let offset = 1;
  const first = payload[0]!;
  if (first & 0x80) {
    const x = payload[1]!;
    offset = 2;
    if (x & 0x80) offset += payload[offset]! & 0x80 ? 2 : 1;
    if (x & 0x40) offset += 1;
    if (x & 0x30) offset += 1;
  }
  return { start: (first & 0x10) !== 0 && (first & 0x07) === 0, data: payload.subarray(offset) };
}

/**
 * An init script giving the test a handle on the page's E2EE transform worker (`window.__e2eeWorker`). With
 * `hoardKeys`, the page also becomes a client that never erases a key: the 'clear' and 'retire' messages its
 * E2EE session sends the worker are dropped and counted (`window.__keysKept`), as a modified client would.
 */
export function workerHandleScript(options: { hoardKeys: boolean }): string {
  return `(() => {
    const Native = window.Worker;
    window.__keysKept = 0;
    window.Worker = class extends Native {
      constructor(url, init) {
        super(url, init);
        window.__e2eeWorker = this;
        const post = this.postMessage.bind(this);
        this.postMessage = (message, transfer) => {
          if (${options.hoardKeys} && message && (message.type === 'clear' || message.type === 'retire')) {
            window.__keysKept++;
            return;
          }
          return post(message, transfer);
        };
      }
    };
  })();`;
}

/**
 * Feeds protected frames into the page's own transform worker, on a receive transform labelled as coming
 * from `participantId` (the path an RTCRtpReceiver's frames take), and counts the frames that come out
 * decrypted. Needs `workerHandleScript` in the page.
 */
export async function decryptInPage(
  page: Page,
  participantId: string,
  frames: readonly Buffer[],
): Promise<{ decrypted: Buffer[]; finished: boolean }> {
  const result = await page.evaluate(
    async ({ participantId, frames }) => {
      const worker = (window as unknown as { __e2eeWorker: Worker }).__e2eeWorker;
      const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const decrypted: string[] = [];
      let finish: () => void = () => undefined;
      const finished = new Promise<boolean>((resolve) => (finish = () => resolve(true)));
      const readable = new ReadableStream({
        start(controller) {
          for (const frame of frames) controller.enqueue({ data: bytes(frame).buffer, type: 'delta' });
          controller.close();
        },
      });
      const writable = new WritableStream({
        write(frame: { data: ArrayBuffer }) {
          let text = '';
          for (const byte of new Uint8Array(frame.data)) text += String.fromCharCode(byte);
          decrypted.push(btoa(text));
        },
        close() {
          finish();
        },
      });
      worker.postMessage(
        {
          type: 'streams',
          options: { direction: 'recv', kind: 'video', codec: 'vp8', participantId },
          readable,
          writable,
        },
        [readable as unknown as Transferable, writable as unknown as Transferable],
      );
      const done = await Promise.race([
        finished,
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
      ]);
      return { decrypted, finished: done };
    },
    { participantId, frames: frames.map((f) => f.toString('base64')) },
  );
  return { decrypted: result.decrypted.map((f) => Buffer.from(f, 'base64')), finished: result.finished };
}

/**
 * Decodes VP8 frames in the page with WebCodecs (libvpx, as the browser's receiver would), in order from a
 * keyframe, and counts the pictures that come out.
 */
export async function decodeVp8InPage(page: Page, frames: readonly Buffer[]): Promise<number> {
  return page.evaluate(
    async (frames) => {
      const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      let pictures = 0;
      const decoder = new VideoDecoder({
        output: (picture) => {
          pictures++;
          picture.close();
        },
        error: () => undefined,
      });
      decoder.configure({ codec: 'vp8' });
      let timestamp = 0;
      for (const frame of frames) {
        const data = bytes(frame);
        // RFC 6386 §9.1: the P bit of the frame tag is clear on keyframes.
        const type = (data[0]! & 0x01) === 0 ? 'key' : 'delta';
        try {
          decoder.decode(new EncodedVideoChunk({ type, timestamp: (timestamp += 33_333), data }));
        } catch {
          break; // the decoder closed itself on an error
        }
      }
      await decoder.flush().catch(() => undefined);
      return pictures;
    },
    frames.map((f) => f.toString('base64')),
  );
}
