import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeQr,
  formatBits,
  maskInverts,
  qrPath,
  reedSolomon,
  versionBits,
  versionFor,
  type QrMatrix,
} from './qr-code';

/** Level M block structure (ISO/IEC 18004 Table 9), written out again here: EC per block, data per block. */
const STRUCTURE: Record<number, { ec: number; blocks: number[] }> = {
  1: { ec: 10, blocks: [16] },
  2: { ec: 16, blocks: [28] },
  3: { ec: 26, blocks: [44] },
  4: { ec: 18, blocks: [32, 32] },
  5: { ec: 24, blocks: [43, 43] },
  6: { ec: 16, blocks: [27, 27, 27, 27] },
  7: { ec: 18, blocks: [31, 31, 31, 31] },
  8: { ec: 22, blocks: [38, 38, 39, 39] },
  9: { ec: 22, blocks: [36, 36, 36, 37, 37] },
  10: { ec: 26, blocks: [43, 43, 43, 43, 44] },
};

/**
 * An independent reader: format bits → mask, function modules → skipped, zigzag → codewords, de-interleave,
 * then every block's Reed-Solomon check and the byte-mode payload.
 */
function readQr(matrix: QrMatrix): { text: string; mask: number } {
  const size = matrix.length;
  const version = (size - 17) / 4;
  let format = 0;
  const formatCells: [number, number][] = [
    [0, 8],
    [1, 8],
    [2, 8],
    [3, 8],
    [4, 8],
    [5, 8],
    [7, 8],
    [8, 8],
    [8, 7],
    [8, 5],
    [8, 4],
    [8, 3],
    [8, 2],
    [8, 1],
    [8, 0],
  ];
  formatCells.forEach(([r, c], i) => (format |= (matrix[r]![c] ? 1 : 0) << i));
  const decoded = format ^ 0x5412;
  assert.equal(decoded >>> 13, 0b00, 'error correction level M');
  const mask = (decoded >>> 10) & 7;
  assert.equal(format, formatBits(mask), 'format BCH bits');

  const isFunction = (r: number, c: number): boolean => {
    if (r === 6 || c === 6) return true;
    if ((r < 9 && c < 9) || (r < 9 && c >= size - 8) || (r >= size - 8 && c < 9)) return true;
    if (
      version >= 7 &&
      ((r < 6 && c >= size - 11 && c < size - 8) || (c < 6 && r >= size - 11 && r < size - 8))
    )
      return true;
    const centres: Record<number, number[]> = {
      2: [6, 18],
      3: [6, 22],
      4: [6, 26],
      5: [6, 30],
      6: [6, 34],
      7: [6, 22, 38],
      8: [6, 24, 42],
      9: [6, 26, 46],
      10: [6, 28, 50],
    };
    const list = centres[version] ?? [];
    for (const ar of list)
      for (const ac of list) {
        if ((ar === 6 && ac === 6) || (ar === 6 && ac === list.at(-1)) || (ar === list.at(-1) && ac === 6))
          continue;
        if (Math.abs(r - ar) <= 2 && Math.abs(c - ac) <= 2) return true;
      }
    return false;
  };

  const bits: number[] = [];
  let upward = true;
  for (let right = size - 1; right > 0; right -= 2) {
    if (right === 6) right--;
    for (let k = 0; k < size; k++) {
      const r = upward ? size - 1 - k : k;
      for (const c of [right, right - 1]) {
        if (isFunction(r, c)) continue;
        bits.push((matrix[r]![c] ? 1 : 0) ^ (maskInverts(mask, r, c) ? 1 : 0));
      }
    }
    upward = !upward;
  }
  const { ec, blocks } = STRUCTURE[version]!;
  const total = blocks.reduce((a, b) => a + b, 0) + ec * blocks.length;
  const codewords: number[] = [];
  for (let i = 0; i < total; i++)
    codewords.push(bits.slice(i * 8, i * 8 + 8).reduce((byte, bit) => (byte << 1) | bit, 0));

  const data = blocks.map(() => [] as number[]);
  let at = 0;
  for (let i = 0; i < Math.max(...blocks); i++)
    blocks.forEach((length, b) => i < length && data[b]!.push(codewords[at++]!));
  const checks = blocks.map(() => [] as number[]);
  for (let i = 0; i < ec; i++) blocks.forEach((_, b) => checks[b]!.push(codewords[at++]!));
  data.forEach((block, b) => assert.deepEqual(reedSolomon(block, ec), checks[b], `block ${b} EC codewords`));

  const stream = data.flat().flatMap((byte) => [7, 6, 5, 4, 3, 2, 1, 0].map((s) => (byte >>> s) & 1));
  const take = (n: number) => stream.splice(0, n).reduce((v, bit) => (v << 1) | bit, 0);
  assert.equal(take(4), 0b0100, 'byte mode');
  const length = take(version < 10 ? 8 : 16);
  const bytes = Uint8Array.from({ length }, () => take(8));
  return { text: new TextDecoder().decode(bytes), mask };
}

describe('QR encoder', () => {
  it('reedSolomon() gives the known EC codewords of the 1-M "HELLO WORLD" example', () => {
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    assert.deepEqual(reedSolomon(data, 10), [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });

  it('formatBits() and versionBits() give the values of the standard tables', () => {
    assert.equal(formatBits(0).toString(2).padStart(15, '0'), '101010000010010');
    assert.equal(formatBits(5).toString(2).padStart(15, '0'), '100000011001110');
    assert.equal(formatBits(7).toString(2).padStart(15, '0'), '100101010100000');
    assert.equal(versionBits(7).toString(2).padStart(18, '0'), '000111110010010100');
    assert.equal(versionBits(10).toString(2).padStart(18, '0'), '001010010011010011');
  });

  it('versionFor() picks the smallest level-M version that holds the bytes, none past version 10', () => {
    assert.equal(versionFor(14), 1);
    assert.equal(versionFor(15), 2);
    assert.equal(versionFor(122), 7);
    assert.equal(versionFor(213), 10);
    assert.equal(versionFor(214), undefined);
    assert.throws(() => encodeQr('x'.repeat(214)), RangeError);
  });

  it('encodeQr() draws the finder patterns, timing lines and dark module where a reader looks for them', () => {
    const matrix = encodeQr('otpauth://totp/Conclave:alice?secret=JBSWY3DPEHPK3PXP&issuer=Conclave');
    const size = matrix.length;
    for (const [r0, c0] of [
      [0, 0],
      [0, size - 7],
      [size - 7, 0],
    ] as const) {
      const ring = (r: number, c: number) => Math.max(Math.abs(r - 3), Math.abs(c - 3));
      for (let r = 0; r < 7; r++)
        for (let c = 0; c < 7; c++)
          assert.equal(matrix[r0 + r]![c0 + c], ring(r, c) !== 2, `finder ${r0},${c0}`);
    }
    for (let i = 8; i < size - 8; i++) {
      assert.equal(matrix[6]![i], i % 2 === 0);
      assert.equal(matrix[i]![6], i % 2 === 0);
    }
    assert.equal(matrix[size - 8]![8], true);
  });

  it('encodeQr() output reads back (mask, Reed-Solomon, payload) for otpauth URIs of every length up to version 10', () => {
    const uris = [
      'otpauth://x',
      'otpauth://totp/Conclave:alice?secret=JBSWY3DPEHPK3PXP&issuer=Conclave',
      `otpauth://totp/Conclave:${encodeURIComponent('zoë.ørsted')}?secret=${'A'.repeat(32)}&issuer=Conclave&algorithm=SHA1&digits=6&period=30`,
      `otpauth://totp/${'x'.repeat(150)}`,
      'y'.repeat(213),
    ];
    const masks = new Set<number>();
    for (const uri of uris) {
      const matrix = encodeQr(uri);
      assert.equal(matrix.length, 17 + 4 * versionFor(new TextEncoder().encode(uri).length)!);
      const read = readQr(matrix);
      assert.equal(read.text, uri);
      masks.add(read.mask);
    }
    assert.ok(masks.size >= 1);
  });

  it('qrPath() draws one unit square per dark module, inside the quiet zone', () => {
    const path = qrPath([
      [true, false],
      [false, true],
    ]);
    assert.equal(path, 'M4 4h1v1h-1zM5 5h1v1h-1z');
  });
});
