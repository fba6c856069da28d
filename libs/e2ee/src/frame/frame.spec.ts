import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SFrameError, SFrameReceiver, SFrameSender, SFrameSuite, decodeHeader } from '../sframe';
import { type Codec, FrameError, type FrameErrorCode, clearPrefixLength, isVp8Keyframe } from './layout';
import { looksLikeSFrame, protectFrame, unprotectFrame } from './protect';

const KID = 42;
const BASE_KEY = new Uint8Array(32).fill(7);
const payload = (n: number, seed = 1) => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);

/** A VP8 key frame: frame tag with P = 0, start code, 640x480, then `n` bytes of partition data. */
const vp8Key = (n = 200) =>
  new Uint8Array([0x50, 0x2d, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, ...payload(n)]);
/** A VP8 inter frame: frame tag with P = 1, then `n` bytes. */
const vp8Inter = (n = 100) => new Uint8Array([0x31, 0x04, 0x00, ...payload(n, 5)]);

const frameError = (c: FrameErrorCode) => (err: unknown) => err instanceof FrameError && err.code === c;
const sframeError = (c: SFrameError['code']) => (err: unknown) =>
  err instanceof SFrameError && err.code === c;

async function pair() {
  const sender = new SFrameSender();
  const receiver = new SFrameReceiver();
  await sender.addKey(KID, BASE_KEY);
  await receiver.addKey(KID, BASE_KEY);
  return { sender, receiver };
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('clearPrefixLength()', () => {
  it('keeps 10 bytes of a VP8 key frame, 3 of an inter frame, none of Opus or VP9', () => {
    assert.equal(clearPrefixLength('vp8', vp8Key()), 10);
    assert.equal(clearPrefixLength('vp8', vp8Inter()), 3);
    assert.equal(clearPrefixLength('opus', payload(60)), 0);
    assert.equal(clearPrefixLength('vp9', payload(600)), 0);
  });

  it('takes the VP8 key-frame flag from the P bit, and refuses a caller flag that disagrees', () => {
    assert.equal(isVp8Keyframe(vp8Key()), true);
    assert.equal(isVp8Keyframe(vp8Inter()), false);
    assert.equal(clearPrefixLength('vp8', vp8Key(), true), 10);
    assert.equal(clearPrefixLength('vp8', vp8Inter(), false), 3);
    assert.throws(() => clearPrefixLength('vp8', vp8Key(), false), frameError('keyframe_mismatch'));
    assert.throws(() => clearPrefixLength('vp8', vp8Inter(), true), frameError('keyframe_mismatch'));
  });

  it('throws empty_frame, truncated_frame or malformed_frame for frames it cannot lay out', () => {
    for (const codec of ['opus', 'vp8', 'vp9'] as const) {
      assert.throws(() => clearPrefixLength(codec, new Uint8Array(0)), frameError('empty_frame'), codec);
    }
    assert.throws(() => clearPrefixLength('vp8', vp8Inter().subarray(0, 2)), frameError('truncated_frame'));
    assert.throws(() => clearPrefixLength('vp8', vp8Key().subarray(0, 9)), frameError('truncated_frame'));
    const noStartCode = vp8Key();
    noStartCode[4] = 0x00;
    assert.throws(() => clearPrefixLength('vp8', noStartCode), frameError('malformed_frame'));
    assert.throws(() => clearPrefixLength('h264' as Codec, payload(10)), frameError('unsupported_codec'));
  });
});

describe('protectFrame() / unprotectFrame()', () => {
  const cases: [string, Codec, Uint8Array, boolean | undefined][] = [
    ['a VP8 key frame', 'vp8', vp8Key(), true],
    ['a VP8 inter frame', 'vp8', vp8Inter(), false],
    ['a VP8 key frame with no partition data', 'vp8', vp8Key(0), undefined],
    ['an Opus frame', 'opus', payload(80), undefined],
    ['a single-byte Opus frame', 'opus', payload(1), undefined],
    ['a VP9 frame', 'vp9', payload(1200), true],
  ];
  for (const [what, codec, frame, isKeyframe] of cases) {
    it(`round-trips ${what}`, async () => {
      const { sender, receiver } = await pair();
      const out = await protectFrame(sender, KID, codec, frame, { isKeyframe });
      const clear = clearPrefixLength(codec, frame);
      assert.equal(out.length, frame.length + decodeHeader(out, clear).length + 16);
      const back = await unprotectFrame(receiver, codec, out);
      assert.deepEqual(back, { kid: BigInt(KID), ctr: 0n, frame });
      assert.equal(back.frame.byteOffset, 0);
      assert.equal(back.frame.byteLength, back.frame.buffer.byteLength); // owns its buffer, as frame.data needs
    });
  }

  it('leaves exactly the 10 VP8 key-frame header bytes in clear and nothing of the rest', async () => {
    const { sender } = await pair();
    const frame = vp8Key(300);
    const out = await protectFrame(sender, KID, 'vp8', frame);
    assert.deepEqual(out.subarray(0, 10), frame.subarray(0, 10));
    assert.deepEqual(decodeHeader(out, 10), { kid: BigInt(KID), ctr: 0n, length: 2 });
    assert.equal(contains(out.subarray(10), frame.subarray(10, 26)), false);
    assert.equal(isVp8Keyframe(out), true); // what mediasoup reads still says key frame
  });

  it('keeps no byte of an Opus frame in clear: the SFrame header comes first', async () => {
    const { sender } = await pair();
    const frame = payload(60);
    const out = await protectFrame(sender, KID, 'opus', frame);
    assert.deepEqual(decodeHeader(out), { kid: BigInt(KID), ctr: 0n, length: 2 });
    assert.equal(contains(out, frame.subarray(0, 16)), false);
  });

  it('refuses a frame with any bit of its clear VP8 prefix changed', async () => {
    const { sender, receiver } = await pair();
    for (const frame of [vp8Key(), vp8Inter()]) {
      const out = await protectFrame(sender, KID, 'vp8', frame);
      const clear = clearPrefixLength('vp8', frame);
      for (let bit = 0; bit < clear * 8; bit++) {
        const tampered = new Uint8Array(out);
        tampered[bit >> 3] ^= 1 << (bit & 7);
        await assert.rejects(
          unprotectFrame(receiver, 'vp8', tampered),
          (err: unknown) => err instanceof FrameError || err instanceof SFrameError,
          `bit ${bit}`,
        );
      }
      // A clear byte that keeps the layout valid (width, height, partition size) fails authentication.
      const widthChanged = new Uint8Array(out);
      widthChanged[clear - 1] ^= 0x01;
      await assert.rejects(unprotectFrame(receiver, 'vp8', widthChanged), sframeError('auth_failed'));
      await unprotectFrame(receiver, 'vp8', out); // the genuine frame still passes
    }
  });

  it('refuses a frame unprotected as another codec than it was protected as', async () => {
    const { sender, receiver } = await pair();
    const out = await protectFrame(sender, KID, 'vp8', vp8Inter());
    await assert.rejects(unprotectFrame(receiver, 'opus', out), SFrameError);
  });

  it('refuses a replayed frame', async () => {
    const { sender, receiver } = await pair();
    const out = await protectFrame(sender, KID, 'opus', payload(20));
    await unprotectFrame(receiver, 'opus', out);
    await assert.rejects(unprotectFrame(receiver, 'opus', out), sframeError('replay'));
  });

  it('throws a FrameError for empty or too-short frames on both sides', async () => {
    const { sender, receiver } = await pair();
    for (const codec of ['opus', 'vp8', 'vp9'] as const) {
      await assert.rejects(protectFrame(sender, KID, codec, new Uint8Array(0)), frameError('empty_frame'));
      await assert.rejects(unprotectFrame(receiver, codec, new Uint8Array(0)), frameError('empty_frame'));
    }
    await assert.rejects(
      protectFrame(sender, KID, 'vp8', new Uint8Array([0x31, 0x04])),
      frameError('truncated_frame'),
    );
    await assert.rejects(unprotectFrame(receiver, 'vp8', vp8Key(0)), frameError('truncated_frame'));
    await assert.rejects(unprotectFrame(receiver, 'vp8', vp8Inter(0)), frameError('truncated_frame'));
    assert.equal(sender.nextCounter(KID), 0n); // refused before a counter was taken
  });
});

describe('looksLikeSFrame()', () => {
  it('returns the KID, CTR and layout of a protected frame', async () => {
    const { sender } = await pair();
    await protectFrame(sender, KID, 'vp8', vp8Inter());
    const out = await protectFrame(sender, KID, 'vp8', vp8Key());
    assert.deepEqual(looksLikeSFrame('vp8', out), {
      kid: BigInt(KID),
      ctr: 1n,
      clearLength: 10,
      headerLength: 2,
    });
    assert.deepEqual(looksLikeSFrame('vp8', out, { kids: [KID] })?.kid, BigInt(KID));
  });

  it('returns null for an unknown KID, a missing header, no room for the tag, or an empty payload', async () => {
    const { sender } = await pair();
    const out = await protectFrame(sender, KID, 'opus', payload(10));
    assert.equal(looksLikeSFrame('opus', out, { kids: [1, 2n] }), null);
    assert.equal(looksLikeSFrame('opus', out.subarray(0, 17)), null); // header 2 + tag 16 needs 18
    assert.equal(looksLikeSFrame('vp8', vp8Key(0)), null);
    assert.equal(
      looksLikeSFrame('vp8', new Uint8Array([0x50, 0x2d, 0x00, 0x9d, 0x00, 0x2a, 1, 2, 3, 4, 5])),
      null,
    );
    assert.equal(looksLikeSFrame('opus', new Uint8Array(0)), null);
    assert.notEqual(
      looksLikeSFrame('opus', out.subarray(0, 17), { suite: SFrameSuite.AES_128_CTR_HMAC_SHA256_32 }),
      null,
    );
  });
});
