import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isVp8KeyFramePayload,
  packetizeVp8Frame,
  VP8_DESCRIPTOR_BYTES,
  vp8PayloadDescriptor,
} from './vp8-packetizer';

const filler = (out: Uint8Array) => out.fill(0xff);

describe('packetizeVp8Frame()', () => {
  it('splits a keyframe into near-equal payloads no larger than the limit, summing to the frame size', () => {
    const payloads = packetizeVp8Frame(
      { keyFrame: true, pictureId: 5, frameBytes: 27000, width: 1280, height: 720 },
      1088,
      filler,
    );
    assert.equal(payloads.length, Math.ceil(27000 / (1088 - VP8_DESCRIPTOR_BYTES)));
    assert.ok(payloads.every((p) => p.length <= 1088));
    assert.ok(Math.max(...payloads.map((p) => p.length)) - Math.min(...payloads.map((p) => p.length)) <= 1);
    assert.equal(
      payloads.reduce((acc, p) => acc + p.length - VP8_DESCRIPTOR_BYTES, 0),
      27000,
    );
  });

  it('marks only the first payload of a keyframe as a keyframe start, with start code and dimensions', () => {
    const payloads = packetizeVp8Frame(
      { keyFrame: true, pictureId: 5, frameBytes: 3000, width: 1280, height: 720 },
      1088,
      filler,
    );
    assert.deepEqual(payloads.map(isVp8KeyFramePayload), [true, false, false]);
    const header = payloads[0].subarray(VP8_DESCRIPTOR_BYTES);
    assert.deepEqual([...header.subarray(3, 10)], [0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02]);
  });

  it('produces inter-frame payloads that are not keyframes', () => {
    const payloads = packetizeVp8Frame(
      { keyFrame: false, pictureId: 6, frameBytes: 900, width: 1280, height: 720 },
      1088,
      filler,
    );
    assert.equal(payloads.length, 1);
    assert.equal(isVp8KeyFramePayload(payloads[0]), false);
  });
});

describe('vp8PayloadDescriptor()', () => {
  it('sets X and S, I with a 15-bit PictureID whose M bit is set', () => {
    assert.deepEqual([...vp8PayloadDescriptor(0x1234, true)], [0x90, 0x80, 0x92, 0x34]);
    assert.deepEqual([...vp8PayloadDescriptor(0x7fff, false)], [0x80, 0x80, 0xff, 0xff]);
  });
});

describe('isVp8KeyFramePayload()', () => {
  it('reads past L, T/K and one-byte PictureID fields as mediasoup does', () => {
    // X=1 S=1; I L T set; 7-bit PictureID; TL0PICIDX; TID byte; then frame tag with P=0.
    assert.equal(isVp8KeyFramePayload(Uint8Array.of(0x90, 0xe0, 0x05, 0x01, 0x20, 0x10)), true);
    assert.equal(isVp8KeyFramePayload(Uint8Array.of(0x90, 0xe0, 0x05, 0x01, 0x20, 0x11)), false);
    assert.equal(isVp8KeyFramePayload(Uint8Array.of(0x10, 0x10)), true);
    assert.equal(isVp8KeyFramePayload(Uint8Array.of(0x11, 0x10)), false);
  });
});
