/** Byte helpers shared by the SFrame modules (browser-safe: no Node built-ins). */
import { SFrameError } from './errors';

/** A Uint8Array over a plain ArrayBuffer: what WebCrypto's BufferSource accepts. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** A KID or CTR as callers may give it. */
export type U64Like = number | bigint;

export const U64_MAX = (1n << 64n) - 1n;

/** `value` as a bigint in [0, 2^64) (KID and CTR are 64-bit, RFC 9605 §4.3). */
export function toU64(value: U64Like, what: string): bigint {
  if (typeof value === 'bigint') {
    if (value >= 0n && value <= U64_MAX) return value;
  } else if (Number.isSafeInteger(value) && value >= 0) {
    return BigInt(value);
  }
  throw new SFrameError('invalid_argument', `${what} must be an integer in [0, 2^64), got ${String(value)}`);
}

/** The bytes of `data` as WebCrypto accepts them: a view on the same memory unless it is shared memory. */
export function bufferSource(data: Uint8Array): Bytes {
  return data.buffer instanceof ArrayBuffer ? (data as Bytes) : new Uint8Array(data);
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Bytes {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Big-endian 64-bit write; `value` must already be in range. */
export function writeU64(out: Uint8Array, offset: number, value: bigint): void {
  writeU32(out, offset, Number(value >> 32n));
  writeU32(out, offset + 4, Number(value & 0xffffffffn));
}

function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}

/** Equality whose time depends on the length only, not on where the first difference is (§4.5.1). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Overwrites `data` with zeros (best effort: JavaScript gives no guarantee about copies the engine made). */
export function wipe(data: Uint8Array | undefined): void {
  data?.fill(0);
}
