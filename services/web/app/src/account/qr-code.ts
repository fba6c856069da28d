/**
 * A small QR code encoder (ISO/IEC 18004:2015) for the `otpauth://` URI of TOTP enrolment, drawn in the page so the
 * secret never leaves it: byte mode, error correction level M, versions 1 to 10 (up to 213 bytes).
 */

/** Dark modules as `true`, indexed `[row][column]`, without the quiet zone. */
export type QrMatrix = boolean[][];

/** Per version (index 1–10), level M: EC codewords per block, then [blocks, data codewords] per group (Table 9). */
const BLOCKS_M: readonly (readonly [number, readonly (readonly [number, number])[]])[] = [
  [0, []],
  [10, [[1, 16]]],
  [16, [[1, 28]]],
  [26, [[1, 44]]],
  [18, [[2, 32]]],
  [24, [[2, 43]]],
  [16, [[4, 27]]],
  [18, [[4, 31]]],
  [
    22,
    [
      [2, 38],
      [2, 39],
    ],
  ],
  [
    22,
    [
      [3, 36],
      [2, 37],
    ],
  ],
  [
    26,
    [
      [4, 43],
      [1, 44],
    ],
  ],
];

/** Centres of the alignment patterns per version (Annex E). */
const ALIGNMENT: readonly (readonly number[])[] = [
  [],
  [],
  [6, 18],
  [6, 22],
  [6, 26],
  [6, 30],
  [6, 34],
  [6, 22, 38],
  [6, 24, 42],
  [6, 26, 46],
  [6, 28, 50],
];

export const MAX_VERSION = 10;

/** GF(2^8) product modulo x^8 + x^4 + x^3 + x^2 + 1 (0x11D, §7.5.2). */
function gfMultiply(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z & 0xff;
}

/** The generator polynomial of `degree` EC codewords, highest coefficient (1) omitted (§7.5.2, Annex A). */
function rsGenerator(degree: number): number[] {
  const result = new Array<number>(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMultiply(result[j]!, root);
      if (j + 1 < degree) result[j]! ^= result[j + 1]!;
    }
    root = gfMultiply(root, 0x02);
  }
  return result;
}

/** The Reed-Solomon error correction codewords of `data` (the remainder of its division by the generator). */
export function reedSolomon(data: readonly number[], degree: number): number[] {
  const generator = rsGenerator(degree);
  const result = new Array<number>(degree).fill(0);
  for (const byte of data) {
    const factor = byte ^ result.shift()!;
    result.push(0);
    generator.forEach((coefficient, i) => (result[i]! ^= gfMultiply(coefficient, factor)));
  }
  return result;
}

/** The 15 format bits of level M with `mask` (BCH(15,5), XOR 101010000010010, §7.9.1). */
export function formatBits(mask: number): number {
  const data = (0b00 << 3) | mask;
  let remainder = data;
  for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
  return ((data << 10) | remainder) ^ 0x5412;
}

/** The 18 version bits (BCH(18,6), §7.10), for versions 7 and above. */
export function versionBits(version: number): number {
  let remainder = version;
  for (let i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1f25);
  return (version << 12) | remainder;
}

const dataCodewords = (version: number) =>
  BLOCKS_M[version]![1].reduce((sum, [blocks, size]) => sum + blocks * size, 0);

/** Mode indicator, count, bytes, terminator and padding (§7.4), as data codewords of `version`. */
function encodeData(bytes: Uint8Array, version: number): number[] {
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  for (const byte of bytes) put(byte, 8);
  const capacity = dataCodewords(version) * 8;
  put(0, Math.min(4, capacity - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const codewords: number[] = [];
  for (let i = 0; i < bits.length; i += 8)
    codewords.push(bits.slice(i, i + 8).reduce((byte, bit) => (byte << 1) | bit, 0));
  for (let pad = 0xec; codewords.length < capacity / 8; pad ^= 0xec ^ 0x11) codewords.push(pad);
  return codewords;
}

/** Splits into blocks, adds each block's EC codewords and interleaves them (§7.6). */
function interleave(data: number[], version: number): number[] {
  const [ecLength, groups] = BLOCKS_M[version]!;
  const blocks: number[][] = [];
  let offset = 0;
  for (const [count, size] of groups)
    for (let b = 0; b < count; b++) {
      blocks.push(data.slice(offset, offset + size));
      offset += size;
    }
  const ec = blocks.map((block) => reedSolomon(block, ecLength));
  const out: number[] = [];
  const longest = Math.max(...blocks.map((block) => block.length));
  for (let i = 0; i < longest; i++) for (const block of blocks) if (i < block.length) out.push(block[i]!);
  for (let i = 0; i < ecLength; i++) for (const block of ec) out.push(block[i]!);
  return out;
}

/** Whether the data mask `mask` (§7.8.2, Table 10) inverts the module at `row`, `column`. */
export function maskInverts(mask: number, row: number, column: number): boolean {
  const [i, j] = [row, column];
  switch (mask) {
    case 0:
      return (i + j) % 2 === 0;
    case 1:
      return i % 2 === 0;
    case 2:
      return j % 3 === 0;
    case 3:
      return (i + j) % 3 === 0;
    case 4:
      return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0;
    case 5:
      return ((i * j) % 2) + ((i * j) % 3) === 0;
    case 6:
      return (((i * j) % 2) + ((i * j) % 3)) % 2 === 0;
    default:
      return (((i + j) % 2) + ((i * j) % 3)) % 2 === 0;
  }
}

class Grid {
  readonly modules: boolean[][];
  readonly reserved: boolean[][];

  constructor(readonly size: number) {
    this.modules = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    this.reserved = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  }

  /** A function module (finder, timing, alignment, format, version): never data, never masked. */
  fix(row: number, column: number, dark: boolean): void {
    this.modules[row]![column] = dark;
    this.reserved[row]![column] = true;
  }
}

function drawFunctionPatterns(grid: Grid, version: number): void {
  const { size } = grid;
  for (let i = 0; i < size; i++) {
    grid.fix(6, i, i % 2 === 0);
    grid.fix(i, 6, i % 2 === 0);
  }
  // Finder patterns with their separators (§6.3.3).
  for (const [row, column] of [
    [3, 3],
    [3, size - 4],
    [size - 4, 3],
  ] as const)
    for (let dy = -4; dy <= 4; dy++)
      for (let dx = -4; dx <= 4; dx++) {
        const distance = Math.max(Math.abs(dx), Math.abs(dy));
        const [r, c] = [row + dy, column + dx];
        if (r >= 0 && r < size && c >= 0 && c < size) grid.fix(r, c, distance !== 2 && distance !== 4);
      }
  const centres = ALIGNMENT[version]!;
  const last = centres.length - 1;
  centres.forEach((row, i) =>
    centres.forEach((column, j) => {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++)
          grid.fix(row + dy, column + dx, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    }),
  );
  drawFormat(grid, 0);
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const [a, b] = [size - 11 + (i % 3), Math.floor(i / 3)];
      grid.fix(b, a, dark);
      grid.fix(a, b, dark);
    }
  }
}

/** Both copies of the format bits (§7.9.1, Figure 25) and the dark module. */
function drawFormat(grid: Grid, mask: number): void {
  const { size } = grid;
  const bits = formatBits(mask);
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) grid.fix(i, 8, bit(i));
  grid.fix(7, 8, bit(6));
  grid.fix(8, 8, bit(7));
  grid.fix(8, 7, bit(8));
  for (let i = 9; i < 15; i++) grid.fix(8, 14 - i, bit(i));
  for (let i = 0; i < 8; i++) grid.fix(8, size - 1 - i, bit(i));
  for (let i = 8; i < 15; i++) grid.fix(size - 15 + i, 8, bit(i));
  grid.fix(size - 8, 8, true);
}

/** Places the codewords in the two-module-wide zigzag from the bottom right (§7.7.3). */
function drawCodewords(grid: Grid, codewords: number[]): void {
  const { size } = grid;
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let vertical = 0; vertical < size; vertical++)
      for (let j = 0; j < 2; j++) {
        const column = right - j;
        const row = upward ? size - 1 - vertical : vertical;
        if (grid.reserved[row]![column] || i >= codewords.length * 8) continue;
        grid.modules[row]![column] = ((codewords[i >>> 3]! >>> (7 - (i & 7))) & 1) === 1;
        i++;
      }
  }
}

function applyMask(grid: Grid, mask: number): void {
  for (let row = 0; row < grid.size; row++)
    for (let column = 0; column < grid.size; column++)
      if (!grid.reserved[row]![column] && maskInverts(mask, row, column))
        grid.modules[row]![column] = !grid.modules[row]![column];
}

/** The penalty score of §7.8.3 (rules N1–N4): the mask with the lowest is used. */
function penalty(modules: boolean[][]): number {
  const size = modules.length;
  let score = 0;
  const lines = [...modules, ...modules.map((_, column) => modules.map((row) => row[column]!))];
  const finderLike = [true, false, true, true, true, false, true];
  for (const line of lines) {
    let run = 1;
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) run++;
      else {
        if (run >= 5) score += 3 + (run - 5);
        run = 1;
      }
    }
    for (let i = 0; i + 7 <= size; i++) {
      if (!finderLike.every((dark, k) => line[i + k] === dark)) continue;
      const lightBefore = i >= 4 && [1, 2, 3, 4].every((k) => !line[i - k]);
      const lightAfter = i + 11 <= size && [7, 8, 9, 10].every((k) => !line[i + k]);
      if (lightBefore || lightAfter) score += 40;
    }
  }
  let dark = 0;
  for (let row = 0; row < size; row++)
    for (let column = 0; column < size; column++) {
      if (modules[row]![column]) dark++;
      if (row + 1 < size && column + 1 < size) {
        const colour = modules[row]![column];
        if (
          modules[row]![column + 1] === colour &&
          modules[row + 1]![column] === colour &&
          modules[row + 1]![column + 1] === colour
        )
          score += 3;
      }
    }
  const total = size * size;
  score += (Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1) * 10;
  return score;
}

/** The smallest version (1–10) whose level-M capacity holds `length` bytes, or undefined when none does. */
export function versionFor(length: number): number | undefined {
  for (let version = 1; version <= MAX_VERSION; version++) {
    const headerBits = 4 + (version < 10 ? 8 : 16);
    if (headerBits + length * 8 <= dataCodewords(version) * 8) return version;
  }
  return undefined;
}

/** Encodes `text` (UTF-8) in byte mode at level M; throws a RangeError when it is longer than version 10 holds. */
export function encodeQr(text: string): QrMatrix {
  const bytes = new TextEncoder().encode(text);
  const version = versionFor(bytes.length);
  if (version === undefined) throw new RangeError('too long for a version 10 QR code');
  const codewords = interleave(encodeData(bytes, version), version);
  let best: { score: number; modules: boolean[][] } | undefined;
  for (let mask = 0; mask < 8; mask++) {
    const grid = new Grid(17 + 4 * version);
    drawFunctionPatterns(grid, version);
    drawCodewords(grid, codewords);
    applyMask(grid, mask);
    drawFormat(grid, mask);
    const score = penalty(grid.modules);
    if (best === undefined || score < best.score) best = { score, modules: grid.modules };
  }
  return best!.modules;
}

/** The dark modules as one SVG path (`M x y h1 v1 h-1 z` each), offset by a 4-module quiet zone. */
export function qrPath(matrix: QrMatrix, quietZone = 4): string {
  const parts: string[] = [];
  matrix.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) parts.push(`M${x + quietZone} ${y + quietZone}h1v1h-1z`);
    }),
  );
  return parts.join('');
}
