/**
 * The small pieces under the MLS adapter: WebCrypto ECDSA encodings (RFC 9420 §5.1.1, §5.1.2), the safety code
 * derivation, the commit sequencer, identities and suite mapping.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { idSchema } from '@conclave/protocol';
import {
  CommitSequencer,
  ciphersuiteNameOf,
  isWellFormedUserId,
  mlsSuiteOf,
  safetyCodeFromEpochAuthenticator,
} from '../src/mls';
import { webCryptoEcdsa } from '../src/mls/webcrypto-ecdsa';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Order of the P-384 group (SEC 2 §2.5.1). */
const P384_N = BigInt(
  '0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
);

function derInteger(value: bigint): number[] {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const digits = [...Buffer.from(hex, 'hex')];
  if (digits[0] >= 0x80) digits.unshift(0);
  return [0x02, digits.length, ...digits];
}

function derSignature(r: bigint, s: bigint): Uint8Array {
  const body = [...derInteger(r), ...derInteger(s)];
  return Uint8Array.from([0x30, body.length, ...body]);
}

function parseDer(sig: Uint8Array): { r: bigint; s: bigint } {
  const rLen = sig[3];
  const r = BigInt(`0x${Buffer.from(sig.subarray(4, 4 + rLen)).toString('hex')}`);
  const sLen = sig[5 + rLen];
  const s = BigInt(`0x${Buffer.from(sig.subarray(6 + rLen, 6 + rLen + sLen)).toString('hex')}`);
  return { r, s };
}

describe('WebCrypto ECDSA for MLS (P-256, P-384, P-521)', () => {
  for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
    test(`${curve}: keygen() gives an uncompressed point, sign() a DER signature that verify() accepts`, async () => {
      const ecdsa = webCryptoEcdsa(curve);
      const { publicKey, signKey } = await ecdsa.keygen();
      const size = { 'P-256': 32, 'P-384': 48, 'P-521': 66 }[curve];
      assert.equal(publicKey.length, 1 + 2 * size);
      assert.equal(publicKey[0], 0x04);
      const sig = await ecdsa.sign(signKey, text('message'));
      assert.equal(sig[0], 0x30);
      assert.equal(await ecdsa.verify(publicKey, text('message'), sig), true);
      assert.equal(await ecdsa.verify(publicKey, text('messagE'), sig), false);
    });
  }

  test('verify() refuses DER with trailing bytes, a non-minimal length, a superfluous leading zero, or raw r||s', async () => {
    const ecdsa = webCryptoEcdsa('P-384');
    const { publicKey, signKey } = await ecdsa.keygen();
    const message = text('m');
    const sig = await ecdsa.sign(signKey, message);
    const { r, s } = parseDer(sig);
    assert.equal(
      await ecdsa.verify(publicKey, message, derSignature(r, s)),
      true,
      'our own re-encoding verifies',
    );
    assert.equal(
      await ecdsa.verify(publicKey, message, Uint8Array.from([...sig, 0])),
      false,
      'trailing byte',
    );
    const nonMinimal = Uint8Array.from([0x30, 0x81, sig[1], ...sig.subarray(2)]);
    assert.equal(await ecdsa.verify(publicKey, message, nonMinimal), false, 'long-form length below 128');
    const rDigits = derInteger(r).slice(2);
    const padded = [0x02, rDigits.length + 1, 0, ...rDigits, ...derInteger(s)];
    assert.equal(
      await ecdsa.verify(publicKey, message, Uint8Array.from([0x30, padded.length, ...padded])),
      false,
      'leading zero',
    );
    const raw = Buffer.concat([
      Buffer.from(r.toString(16).padStart(96, '0'), 'hex'),
      Buffer.from(s.toString(16).padStart(96, '0'), 'hex'),
    ]);
    assert.equal(await ecdsa.verify(publicKey, message, new Uint8Array(raw)), false, 'P1363 r||s');
    assert.equal(
      await ecdsa.verify(publicKey, message, derSignature(r, P384_N - s)),
      true,
      'the other s of the pair (RFC 9420 does not require low-S)',
    );
  });

  test('verify() refuses a compressed public key (one encoding per key, RFC 9420 §5.1.1)', async () => {
    const ecdsa = webCryptoEcdsa('P-384');
    const { publicKey, signKey } = await ecdsa.keygen();
    const sig = await ecdsa.sign(signKey, text('m'));
    const compressed = Uint8Array.from([2 + (publicKey[96] & 1), ...publicKey.subarray(1, 49)]);
    assert.equal(await ecdsa.verify(compressed, text('m'), sig), false);
  });

  test('sign() accepts a bare scalar shorter than the curve size (leading zeros dropped, as in the MLS vectors)', async () => {
    // Draw key pairs until the scalar starts with a zero byte (1 in 256), then drop that byte.
    let found: { d: Uint8Array; publicKey: Uint8Array } | undefined;
    for (let i = 0; i < 8192 && found === undefined; i++) {
      const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
      const d = new Uint8Array(
        Buffer.from((await crypto.subtle.exportKey('jwk', pair.privateKey)).d as string, 'base64url'),
      );
      if (d[0] === 0)
        found = { d, publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) };
    }
    assert.ok(found, 'a scalar with a leading zero byte');
    const { d, publicKey } = found;
    const ecdsa = webCryptoEcdsa('P-256');
    const trimmed = d.subarray(1);
    assert.equal(trimmed.length, 31);
    assert.equal(await ecdsa.verify(publicKey, text('m'), await ecdsa.sign(trimmed, text('m'))), true);
  });
});

describe('safety code', () => {
  test('safetyCodeFromEpochAuthenticator() is 5 groups of 5 digits from HMAC-SHA-256(authenticator, label)', async () => {
    const authenticator = new Uint8Array(48).map((_, i) => i);
    const t = createHmac('sha256', authenticator).update('Conclave 1.0 Safety Code').digest();
    const expected = [0, 1, 2, 3, 4]
      .map((i) => String(Number(t.readBigUInt64BE(i * 5) >> 24n) % 100000).padStart(5, '0'))
      .join(' ');
    assert.equal(await safetyCodeFromEpochAuthenticator(authenticator), expected);
    assert.notEqual(await safetyCodeFromEpochAuthenticator(authenticator.map((b) => b ^ 1)), expected);
  });
});

describe('CommitSequencer', () => {
  test('offerInfo() rejects other groups and future epochs, accepts the current epoch once, then answers retry', () => {
    const group = new Uint8Array([1, 2, 3]);
    const sequencer = new CommitSequencer(group, 7n);
    const commit = (groupId: Uint8Array, epoch: bigint) => ({
      wireFormat: 'private_message' as const,
      groupId,
      epoch,
      contentType: 'commit' as const,
    });
    assert.deepEqual(sequencer.offerInfo(commit(new Uint8Array([9]), 7n)), {
      verdict: 'rejected',
      reason: 'wrong_group',
    });
    assert.deepEqual(sequencer.offerInfo(commit(group, 8n)), { verdict: 'rejected', reason: 'future_epoch' });
    assert.deepEqual(sequencer.offerInfo(commit(group, 7n)), {
      verdict: 'accepted',
      epoch: 7n,
      nextEpoch: 8n,
    });
    assert.deepEqual(sequencer.offerInfo(commit(group, 7n)), {
      verdict: 'retry',
      epoch: 7n,
      currentEpoch: 8n,
    });
    assert.deepEqual(sequencer.offerInfo({ ...commit(group, 8n), contentType: 'application' }), {
      verdict: 'rejected',
      reason: 'not_a_commit',
    });
    assert.deepEqual(
      sequencer.offerInfo({
        ...commit(group, 8n),
        wireFormat: 'public_message',
        sender: { type: 'new_member_commit' },
      }),
      { verdict: 'rejected', reason: 'not_a_commit' },
    );
    assert.equal(sequencer.epoch, 8n);
  });
});

describe('identities and suites', () => {
  test('isWellFormedUserId() agrees with the join ticket idSchema of @conclave/protocol', () => {
    for (const id of [
      'alice',
      'a.b_c:d@e-f',
      'x'.repeat(128),
      '',
      'x'.repeat(129),
      'bo b',
      'é',
      'a/b',
      'a\nb',
    ]) {
      assert.equal(isWellFormedUserId(id), idSchema.safeParse(id).success, JSON.stringify(id));
    }
  });

  test("suite values map to RFC 9420 suite 7 (P-384) and ts-mls's X-Wing suite 83, and back", () => {
    assert.equal(ciphersuiteNameOf('aes256'), 'MLS_256_DHKEMP384_AES256GCM_SHA384_P384');
    assert.equal(ciphersuiteNameOf('xwing-pq'), 'MLS_256_XWING_AES256GCM_SHA512_Ed25519');
    assert.equal(mlsSuiteOf('MLS_256_XWING_AES256GCM_SHA512_Ed25519'), 'xwing-pq');
    assert.equal(mlsSuiteOf('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'), undefined);
  });
});
