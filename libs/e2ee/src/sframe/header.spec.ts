import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SFrameError } from './errors';
import { MAX_HEADER_LENGTH, decodeHeader, encodeHeader, headerLength } from './header';
import { bytesToHex, hexToBytes } from './vectors';

const badHeader = (hex: string) => () => decodeHeader(hexToBytes(hex));
const isCode = (code: string) => (err: unknown) => err instanceof SFrameError && err.code === code;

describe('encodeHeader()', () => {
  it('packs a KID and a CTR below 8 into the config byte alone', () => {
    assert.equal(bytesToHex(encodeHeader(0, 0)), '00');
    assert.equal(bytesToHex(encodeHeader(7, 7)), '77');
    assert.equal(bytesToHex(encodeHeader(5, 2)), '52');
  });

  it('appends values from 8 up in the minimum number of big-endian bytes, KID first', () => {
    assert.equal(bytesToHex(encodeHeader(8, 0)), '8008');
    assert.equal(bytesToHex(encodeHeader(0, 8)), '0808');
    assert.equal(bytesToHex(encodeHeader(0x123, 0x4567)), '9901234567');
    assert.equal(bytesToHex(encodeHeader(256, 65535)), '990100ffff');
  });

  it('encodes the largest KID and CTR in 17 bytes', () => {
    const max = (1n << 64n) - 1n;
    const header = encodeHeader(max, max);
    assert.equal(header.length, MAX_HEADER_LENGTH);
    assert.equal(bytesToHex(header), 'ff'.repeat(17));
    assert.equal(headerLength(max, max), 17);
  });

  it('rejects values that are negative, fractional, unsafe or 2^64 and more with invalid_argument', () => {
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, -1n, 1n << 64n]) {
      assert.throws(() => encodeHeader(bad, 0), isCode('invalid_argument'), String(bad));
      assert.throws(() => encodeHeader(0, bad), isCode('invalid_argument'), String(bad));
    }
  });
});

describe('decodeHeader()', () => {
  it('round-trips values at every length boundary', () => {
    const values = [
      0n,
      7n,
      8n,
      255n,
      256n,
      65535n,
      65536n,
      (1n << 48n) - 1n,
      1n << 48n,
      1n << 56n,
      (1n << 64n) - 1n,
    ];
    for (const kid of values) {
      for (const ctr of values) {
        const encoded = encodeHeader(kid, ctr);
        assert.deepEqual(decodeHeader(encoded), { kid, ctr, length: encoded.length });
      }
    }
  });

  it('reads a header at an offset and ignores the bytes after it', () => {
    const data = hexToBytes('aabb' + '9901234567' + 'deadbeef');
    assert.deepEqual(decodeHeader(data, 2), { kid: 0x123n, ctr: 0x4567n, length: 5 });
  });

  it('rejects an empty buffer or an offset past the end with bad_header', () => {
    assert.throws(badHeader(''), isCode('bad_header'));
    assert.throws(() => decodeHeader(hexToBytes('00'), 1), isCode('bad_header'));
  });

  it('rejects a header whose KID or CTR bytes are cut off with bad_header', () => {
    assert.throws(badHeader('08'), isCode('bad_header')); // CTR of 1 byte announced, none present
    assert.throws(badHeader('80'), isCode('bad_header')); // KID of 1 byte announced, none present
    assert.throws(badHeader('990123'), isCode('bad_header')); // KID and CTR of 2 bytes each, CTR missing
    assert.throws(badHeader('0fffffffffffffff'), isCode('bad_header')); // CTR of 8 bytes, 7 present
    assert.throws(badHeader('f0' + 'ff'.repeat(7)), isCode('bad_header')); // KID of 8 bytes, 7 present
  });

  it('rejects non-minimal encodings with bad_header', () => {
    assert.throws(badHeader('0805'), isCode('bad_header')); // CTR 5 must sit in the config byte
    assert.throws(badHeader('8007'), isCode('bad_header')); // KID 7 likewise
    assert.throws(badHeader('0900ff'), isCode('bad_header')); // 255 in 2 bytes
    assert.throws(badHeader('900010'), isCode('bad_header')); // KID 16 in 2 bytes
    assert.throws(badHeader('0f00' + 'ff'.repeat(7)), isCode('bad_header')); // leading zero in 8 bytes
  });
});
