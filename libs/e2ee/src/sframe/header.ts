/**
 * SFrame header (RFC 9605 §4.3): a config byte |X|K K K|Y|C C C| then the KID and CTR when they do not fit
 * in 3 bits. A value in 0-7 sits in K (or C) with X (or Y) = 0; a larger one follows the config byte as a
 * big-endian integer in the minimum number of bytes (1-8), K (or C) holding that length minus one; the KID
 * comes before the CTR. Decoding is strict: a non-minimal encoding is as malformed as a truncated one.
 */
import { type Bytes, type U64Like, toU64 } from './bytes';
import { SFrameError } from './errors';

export interface SFrameHeader {
  readonly kid: bigint;
  readonly ctr: bigint;
}

export interface DecodedHeader extends SFrameHeader {
  /** Bytes the header occupies (1 to 17). */
  readonly length: number;
}

/** Longest header: config byte + 8-byte KID + 8-byte CTR. */
export const MAX_HEADER_LENGTH = 17;

// 2^8, 2^16, ... 2^56: a value below LIMITS[n - 1] fits in n bytes.
const LIMITS: readonly bigint[] = Array.from({ length: 7 }, (_, i) => 1n << BigInt(8 * (i + 1)));

/** Bytes a value takes after the config byte: 0 when it fits in the 3-bit field. */
function extraLength(value: bigint): number {
  if (value < 8n) return 0;
  let n = 1;
  while (n < 8 && value >= LIMITS[n - 1]) n++;
  return n;
}

function fieldBits(value: bigint, length: number): number {
  return length === 0 ? Number(value) : 0x08 | (length - 1);
}

function writeBigEndian(out: Uint8Array, offset: number, value: bigint, length: number): void {
  let v = value;
  for (let i = offset + length - 1; i >= offset; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Length in bytes of the header for (kid, ctr). */
export function headerLength(kid: U64Like, ctr: U64Like): number {
  return 1 + extraLength(toU64(kid, 'KID')) + extraLength(toU64(ctr, 'CTR'));
}

/**
 * Writes the header for (kid, ctr) at `out[offset]`; returns its length. Values must be in [0, 2^64) and
 * `out` must have room (MAX_HEADER_LENGTH is always enough).
 */
export function writeHeader(out: Uint8Array, offset: number, kid: bigint, ctr: bigint): number {
  const kidLength = extraLength(kid);
  const ctrLength = extraLength(ctr);
  out[offset] = (fieldBits(kid, kidLength) << 4) | fieldBits(ctr, ctrLength);
  writeBigEndian(out, offset + 1, kid, kidLength);
  writeBigEndian(out, offset + 1 + kidLength, ctr, ctrLength);
  return 1 + kidLength + ctrLength;
}

/** The encoded SFrame header for (kid, ctr). */
export function encodeHeader(kid: U64Like, ctr: U64Like): Bytes {
  const k = toU64(kid, 'KID');
  const c = toU64(ctr, 'CTR');
  const out = new Uint8Array(1 + extraLength(k) + extraLength(c));
  writeHeader(out, 0, k, c);
  return out;
}

function readBigEndian(data: Uint8Array, offset: number, length: number): bigint {
  if (length <= 6) {
    let v = 0;
    for (let i = 0; i < length; i++) v = v * 256 + data[offset + i];
    return BigInt(v);
  }
  let hi = 0;
  for (let i = 0; i < length - 4; i++) hi = hi * 256 + data[offset + i];
  const o = offset + length - 4;
  const lo = ((data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3]) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function readField(data: Uint8Array, bits: number, offset: number, what: string): [bigint, number] {
  if ((bits & 0x08) === 0) return [BigInt(bits), 0];
  const length = (bits & 0x07) + 1;
  if (offset + length > data.length) {
    throw new SFrameError('bad_header', `SFrame header truncated: the ${what} needs ${length} bytes`);
  }
  const value = readBigEndian(data, offset, length);
  // §4.3: "MUST be encoded with the minimum number of bytes" (and values 0-7 never take the long form).
  if (value < 8n || data[offset] === 0) {
    throw new SFrameError('bad_header', `SFrame header has a non-minimal ${what} encoding`);
  }
  return [value, length];
}

/** Parses the SFrame header at `data[offset]`; throws SFrameError('bad_header') if it is malformed. */
export function decodeHeader(data: Uint8Array, offset = 0): DecodedHeader {
  if (offset < 0 || offset >= data.length) throw new SFrameError('bad_header', 'SFrame header missing');
  const config = data[offset];
  const [kid, kidLength] = readField(data, config >> 4, offset + 1, 'KID');
  const [ctr, ctrLength] = readField(data, config & 0x0f, offset + 1 + kidLength, 'CTR');
  return { kid, ctr, length: 1 + kidLength + ctrLength };
}
