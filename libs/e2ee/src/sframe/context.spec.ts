import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aeadDecrypt, aeadEncrypt, importAeadKey } from './aead';
import { SFrameReceiver, SFrameSender, sframeDecrypt } from './context';
import { SFrameError, type SFrameErrorCode } from './errors';
import { decodeHeader, encodeHeader } from './header';
import { SFrameKey, deriveKeyMaterial } from './keys';
import { DEFAULT_SUITE, SFrameSuite, suiteParams, supportedSuites } from './suites';

const BASE_KEY = new Uint8Array(32).map((_, i) => i + 1);
const OTHER_KEY = new Uint8Array(32).map((_, i) => 100 + i);
const text = (s: string) => new TextEncoder().encode(s);
const code = (c: SFrameErrorCode) => (err: unknown) => err instanceof SFrameError && err.code === c;

async function pair(suite: SFrameSuite = DEFAULT_SUITE, kid = 3, replayWindow?: number) {
  const sender = new SFrameSender({ suite });
  const receiver = new SFrameReceiver({ suite, replayWindow });
  await sender.addKey(kid, BASE_KEY);
  await receiver.addKey(kid, BASE_KEY);
  return { sender, receiver };
}

function flipBit(data: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(data);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

describe('SFrameSender / SFrameReceiver', () => {
  for (const suite of supportedSuites()) {
    it(`round-trips a frame with metadata under ${suite.name}, adding header + ${suite.nt} bytes`, async () => {
      const { sender, receiver } = await pair(suite.id, 0x1234);
      const pt = text('an encoded media frame');
      const metadata = text('meta');
      const ct = await sender.encrypt(0x1234, pt, { metadata });
      assert.equal(ct.length, encodeHeader(0x1234, 0).length + pt.length + suite.nt);
      const frame = await receiver.decrypt(ct, metadata);
      assert.deepEqual(frame, { kid: 0x1234n, ctr: 0n, plaintext: pt });
    });
  }

  it('defaults to AES_256_GCM_SHA512_128 on both sides', () => {
    assert.equal(new SFrameSender().suite, SFrameSuite.AES_256_GCM_SHA512_128);
    assert.equal(new SFrameReceiver().suite, SFrameSuite.AES_256_GCM_SHA512_128);
    assert.equal(new SFrameSender().maxCounter, (1n << 64n) - 1n);
  });

  it('encrypt() of an empty plaintext yields header || tag, which decrypts to empty', async () => {
    const { sender, receiver } = await pair();
    const ct = await sender.encrypt(3, new Uint8Array(0));
    assert.equal(ct.length, 1 + 16);
    assert.equal((await receiver.decrypt(ct)).plaintext.length, 0);
  });

  it('encrypt() with prependMetadata returns metadata || header || ciphertext', async () => {
    const { sender, receiver } = await pair();
    const metadata = text('clear');
    const out = await sender.encrypt(3, text('secret'), { metadata, prependMetadata: true });
    assert.deepEqual(out.subarray(0, 5), metadata);
    assert.deepEqual((await receiver.decrypt(out.subarray(5), metadata)).plaintext, text('secret'));
  });

  it('encrypt() numbers the frames of each KID 0, 1, 2 … independently', async () => {
    const sender = new SFrameSender();
    await sender.addKey(1, BASE_KEY);
    await sender.addKey(2, OTHER_KEY);
    const ctrOf = async (kid: number) => decodeHeader(await sender.encrypt(kid, text('x'))).ctr;
    assert.deepEqual([await ctrOf(1), await ctrOf(1), await ctrOf(2), await ctrOf(1)], [0n, 1n, 0n, 2n]);
    assert.equal(sender.nextCounter(1), 3n);
    assert.equal(sender.nextCounter(9), undefined);
  });

  it('concurrent encrypt() calls never share a counter', async () => {
    const { sender } = await pair();
    const frames = await Promise.all(Array.from({ length: 64 }, () => sender.encrypt(3, text('x'))));
    const ctrs = new Set(frames.map((f) => decodeHeader(f).ctr));
    assert.equal(ctrs.size, 64);
  });

  it('encrypt() throws counter_exhausted past maxCounter, and keeps refusing', async () => {
    const sender = new SFrameSender({ maxCounter: 2 });
    await sender.addKey(3, BASE_KEY);
    for (let i = 0; i < 3; i++) await sender.encrypt(3, text('x'));
    await assert.rejects(sender.encrypt(3, text('x')), code('counter_exhausted'));
    await assert.rejects(sender.encrypt(3, text('x')), code('counter_exhausted'));
    assert.equal(sender.nextCounter(3), 3n);
  });

  it('addKey() on a sender refuses a (base key, KID) it ever had, even after removeKey() or dispose() (no counter restart)', async () => {
    const sender = new SFrameSender();
    await sender.addKey(7, BASE_KEY);
    await assert.rejects(sender.addKey(7, BASE_KEY), code('kid_in_use'));
    assert.ok(sender.removeKey(7));
    await assert.rejects(sender.addKey(7, BASE_KEY), code('kid_in_use'));
    sender.dispose();
    await assert.rejects(sender.addKey(7, BASE_KEY), code('kid_in_use'));
    const twice = await Promise.allSettled([sender.addKey(8, BASE_KEY), sender.addKey(8, BASE_KEY)]);
    assert.deepEqual(
      twice.map((r) => r.status),
      ['fulfilled', 'rejected'],
    );
  });

  it('addKey() on a sender takes a KID back with a new base key: a new key, its counter from 0, the old key erased', async () => {
    const sender = new SFrameSender();
    await sender.addKey(7, BASE_KEY);
    const old = [await sender.encrypt(7, text('a')), await sender.encrypt(7, text('b'))];
    await sender.addKey(7, OTHER_KEY);
    assert.equal(sender.nextCounter(7), 0n);
    const renewed = await sender.encrypt(7, text('a'));
    assert.equal(decodeHeader(renewed).ctr, 0n);
    assert.notDeepEqual(renewed, old[0], 'same KID and CTR, another key: another ciphertext');
    const oldReceiver = new SFrameReceiver();
    await oldReceiver.addKey(7, BASE_KEY);
    await assert.rejects(oldReceiver.decrypt(renewed), code('auth_failed'));
    const newReceiver = new SFrameReceiver();
    await newReceiver.addKey(7, OTHER_KEY);
    assert.deepEqual((await newReceiver.decrypt(renewed)).plaintext, text('a'));
    // Back to the first base key: that key (and its counters 0 and 1) was used, so it stays refused.
    await assert.rejects(sender.addKey(7, BASE_KEY), code('kid_in_use'));
  });

  it('a sender whose KIDs wrap (E = 4: one KID every 16 epochs) keeps encrypting for 100 epochs, each frame decrypting', async () => {
    const sender = new SFrameSender();
    for (let epoch = 0; epoch < 100; epoch++) {
      const kid = epoch % 16;
      const baseKey = crypto.getRandomValues(new Uint8Array(32));
      await sender.addKey(kid, baseKey);
      const receiver = new SFrameReceiver();
      await receiver.addKey(kid, baseKey);
      const frame = await sender.encrypt(kid, text(`epoch ${epoch}`));
      assert.equal(decodeHeader(frame).ctr, 0n);
      assert.deepEqual((await receiver.decrypt(frame)).plaintext, text(`epoch ${epoch}`));
      sender.removeKey(kid);
    }
  });

  it('addKey() on a receiver refuses an installed KID until it is removed', async () => {
    const { sender, receiver } = await pair();
    await assert.rejects(receiver.addKey(3, OTHER_KEY), code('kid_in_use'));
    receiver.removeKey(3);
    await receiver.addKey(3, BASE_KEY);
    await receiver.decrypt(await sender.encrypt(3, text('x')));
  });

  it('a key removed while it is being derived is not installed', async () => {
    const receiver = new SFrameReceiver();
    const adding = receiver.addKey(4, BASE_KEY);
    assert.ok(receiver.removeKey(4));
    await adding;
    assert.equal(receiver.hasKey(4), false);
    const sender = new SFrameSender();
    const sending = sender.addKey(4, BASE_KEY);
    sender.dispose();
    await sending;
    assert.equal(sender.hasKey(4), false);
  });

  it('encrypt() and decrypt() throw unknown_kid for a KID without a key', async () => {
    const { sender, receiver } = await pair();
    await assert.rejects(sender.encrypt(4, text('x')), code('unknown_kid'));
    const other = new SFrameSender();
    await other.addKey(4, BASE_KEY);
    await assert.rejects(receiver.decrypt(await other.encrypt(4, text('x'))), code('unknown_kid'));
  });

  it('decrypt() with the wrong base key, or another suite, throws auth_failed', async () => {
    const { sender } = await pair();
    const wrongKey = new SFrameReceiver();
    await wrongKey.addKey(3, OTHER_KEY);
    const wrongSuite = new SFrameReceiver({ suite: SFrameSuite.AES_128_GCM_SHA256_128 });
    await wrongSuite.addKey(3, BASE_KEY);
    const ct = await sender.encrypt(3, text('x'));
    await assert.rejects(wrongKey.decrypt(ct), code('auth_failed'));
    await assert.rejects(wrongSuite.decrypt(ct), code('auth_failed'));
  });

  for (const suite of [
    DEFAULT_SUITE,
    SFrameSuite.AES_128_CTR_HMAC_SHA256_80,
    SFrameSuite.AES_256_CTR_HMAC_SHA512_32,
  ]) {
    it(`decrypt() refuses every single flipped bit of header, ciphertext and tag (${suiteParams(suite).name})`, async () => {
      const { sender, receiver } = await pair(suite, 300);
      await sender.encrypt(300, text('burn counters 0-8')); // CTR 9 needs a 1-byte extension
      for (let i = 0; i < 8; i++) await sender.encrypt(300, text('x'));
      const metadata = text('md');
      const ct = await sender.encrypt(300, text('frame body'), { metadata });
      assert.equal(decodeHeader(ct).length, 4); // config byte, 2-byte KID, 1-byte CTR
      for (let bit = 0; bit < ct.length * 8; bit++) {
        await assert.rejects(receiver.decrypt(flipBit(ct, bit), metadata), SFrameError, `bit ${bit}`);
      }
      // Past the header only the tag check can catch it.
      for (let bit = 4 * 8; bit < ct.length * 8; bit++) {
        await assert.rejects(receiver.decrypt(flipBit(ct, bit), metadata), code('auth_failed'), `bit ${bit}`);
      }
      // Refusals did not touch the replay window: the genuine frame still decrypts.
      assert.deepEqual((await receiver.decrypt(ct, metadata)).plaintext, text('frame body'));
    });
  }

  it('decrypt() refuses altered, missing or extra metadata and truncated frames with auth_failed', async () => {
    const { sender, receiver } = await pair();
    const metadata = text('clear prefix');
    const ct = await sender.encrypt(3, text('payload'), { metadata });
    for (let bit = 0; bit < metadata.length * 8; bit++) {
      await assert.rejects(receiver.decrypt(ct, flipBit(metadata, bit)), code('auth_failed'));
    }
    await assert.rejects(receiver.decrypt(ct), code('auth_failed'));
    await assert.rejects(receiver.decrypt(ct, text('clear prefix!')), code('auth_failed'));
    await assert.rejects(receiver.decrypt(ct.subarray(0, ct.length - 1), metadata), code('auth_failed'));
    await assert.rejects(receiver.decrypt(ct.subarray(0, 1), metadata), code('auth_failed'));
    await assert.rejects(receiver.decrypt(new Uint8Array(0), metadata), code('bad_header'));
  });

  it('decrypt() throws replay for a frame received twice, and for one older than the window', async () => {
    const { sender, receiver } = await pair(DEFAULT_SUITE, 3, 4);
    const frames = [];
    for (let i = 0; i < 6; i++) frames.push(await sender.encrypt(3, text(`f${i}`)));
    await receiver.decrypt(frames[5]);
    await receiver.decrypt(frames[3]); // late but inside the window: accepted
    await assert.rejects(receiver.decrypt(frames[3]), code('replay'));
    await assert.rejects(receiver.decrypt(frames[5]), code('replay'));
    await assert.rejects(receiver.decrypt(frames[1]), code('replay')); // 5 - 1 >= 4: too old
    await receiver.decrypt(frames[2]);
  });

  it('two concurrent decrypts of one frame: exactly one succeeds, the other is a replay', async () => {
    const { sender, receiver } = await pair();
    const ct = await sender.encrypt(3, text('x'));
    const results = await Promise.allSettled([receiver.decrypt(ct), receiver.decrypt(ct)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected');
    assert.ok(rejected && code('replay')(rejected.reason));
  });

  it('a forged frame with a high counter does not move the replay window', async () => {
    const { sender, receiver } = await pair();
    const genuine = await sender.encrypt(3, text('x')); // CTR 0
    const forged = new Uint8Array([...encodeHeader(3, 1_000_000), ...new Uint8Array(32)]);
    await assert.rejects(receiver.decrypt(forged), code('auth_failed'));
    await receiver.decrypt(genuine); // would be too old had the forgery slid the window to 1,000,000
  });

  it('removeKey() makes later decrypts, and those in flight, fail with unknown_kid', async () => {
    const { sender, receiver } = await pair();
    const a = await sender.encrypt(3, text('a'));
    const b = await sender.encrypt(3, text('b'));
    const inFlight = receiver.decrypt(a);
    assert.ok(receiver.removeKey(3));
    await assert.rejects(inFlight, code('unknown_kid'));
    await assert.rejects(receiver.decrypt(b), code('unknown_kid'));
    assert.equal(receiver.removeKey(3), false);
  });

  it('dispose() erases every key of a sender and of a receiver', async () => {
    const { sender, receiver } = await pair();
    const ct = await sender.encrypt(3, text('x'));
    sender.dispose();
    receiver.dispose();
    await assert.rejects(sender.encrypt(3, text('x')), code('unknown_kid'));
    await assert.rejects(receiver.decrypt(ct), code('unknown_kid'));
  });

  it('rejects an unknown suite and a bad replay window at construction', () => {
    assert.throws(() => new SFrameSender({ suite: 0 as SFrameSuite }), code('unsupported_suite'));
    assert.throws(() => new SFrameReceiver({ suite: 0xf000 as SFrameSuite }), code('unsupported_suite'));
    assert.throws(() => new SFrameReceiver({ replayWindow: 0 }), code('invalid_argument'));
  });
});

describe('SFrame keys', () => {
  it('are non-extractable CryptoKeys usable for one role only', async () => {
    for (const suite of [DEFAULT_SUITE, SFrameSuite.AES_128_CTR_HMAC_SHA256_64]) {
      const enc = await deriveKeyMaterial(suite, BASE_KEY, 1, 'encrypt');
      const dec = await deriveKeyMaterial(suite, BASE_KEY, 1, 'decrypt');
      for (const [key, role] of [
        [enc, 'encrypt'],
        [dec, 'decrypt'],
      ] as const) {
        const { enc: aes, auth } = key.aead.keys(role);
        assert.equal(aes.extractable, false);
        assert.deepEqual(aes.usages, [role]);
        if (auth) assert.deepEqual([auth.extractable, auth.usages], [false, ['sign']]);
      }
      const nonce = enc.nonce(0n);
      const ct = await aeadEncrypt(enc.aead, nonce, new Uint8Array(0), text('x'));
      await assert.rejects(aeadDecrypt(enc.aead, nonce, new Uint8Array(0), ct), code('bad_key'));
      await assert.rejects(aeadEncrypt(dec.aead, nonce, new Uint8Array(0), text('x')), code('bad_key'));
      assert.deepEqual(await aeadDecrypt(dec.aead, nonce, new Uint8Array(0), ct), text('x'));
    }
  });

  it('derive the same key from raw bytes and from an HKDF CryptoKey', async () => {
    const hkdf = await crypto.subtle.importKey('raw', BASE_KEY, 'HKDF', false, ['deriveBits']);
    const a = await deriveKeyMaterial(DEFAULT_SUITE, BASE_KEY, 5, 'encrypt');
    const b = await deriveKeyMaterial(DEFAULT_SUITE, hkdf, 5, 'decrypt');
    const ct = await aeadEncrypt(a.aead, a.nonce(9n), new Uint8Array(0), text('same'));
    assert.deepEqual(await aeadDecrypt(b.aead, b.nonce(9n), new Uint8Array(0), ct), text('same'));
  });

  it('refuse an empty base key, a non-HKDF CryptoKey and a raw key of the wrong length with bad_key', async () => {
    await assert.rejects(deriveKeyMaterial(DEFAULT_SUITE, new Uint8Array(0), 1, 'encrypt'), code('bad_key'));
    const aes = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);
    await assert.rejects(deriveKeyMaterial(DEFAULT_SUITE, aes, 1, 'encrypt'), code('bad_key'));
    const gcm256 = suiteParams(DEFAULT_SUITE);
    await assert.rejects(importAeadKey(gcm256, new Uint8Array(16), 'encrypt'), code('bad_key'));
  });

  it('leave the caller’s base key bytes as they were', async () => {
    const copy = new Uint8Array(BASE_KEY);
    const sender = new SFrameSender();
    await sender.addKey(1, copy);
    assert.deepEqual(copy, BASE_KEY);
  });

  it('erase() zeroes the salt and makes every later use throw bad_key', async () => {
    const key = await deriveKeyMaterial(DEFAULT_SUITE, BASE_KEY, 1, 'encrypt');
    const salt = new Uint8Array(12).fill(0xaa);
    const held = new SFrameKey(1n, key.aead, salt);
    held.erase();
    assert.deepEqual(salt, new Uint8Array(12));
    assert.equal(held.erased, true);
    assert.throws(() => held.nonce(0n), code('bad_key'));
    await assert.rejects(
      aeadEncrypt(key.aead, new Uint8Array(12), new Uint8Array(0), text('x')),
      code('bad_key'),
    );
  });

  it('sframeDecrypt() refuses a header whose KID is not the key’s', async () => {
    const key = await deriveKeyMaterial(DEFAULT_SUITE, BASE_KEY, 1, 'decrypt');
    const data = encodeHeader(2, 0);
    await assert.rejects(sframeDecrypt(key, decodeHeader(data), data), code('unknown_kid'));
  });
});
