import { createHmac, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpOptions {
  algorithm: TotpAlgorithm;
  digits: number;
  /** Time step X in seconds (RFC 6238 §4.1). */
  stepSeconds: number;
}

/** Google Authenticator-compatible defaults (RFC 6238 §5.2 recommends a 30 s step). */
export const DEFAULT_TOTP: TotpOptions = { algorithm: 'SHA1', digits: 6, stepSeconds: 30 };

/** Time step number T = floor((now - T0) / X), T0 = 0 (RFC 6238 §4.2). */
export function totpStep(unixMillis: number, stepSeconds: number): number {
  return Math.floor(unixMillis / 1000 / stepSeconds);
}

/** HOTP (RFC 4226 §5.3) at counter `step`, with the hash RFC 6238 §1.2 allows. */
export function totpAt(secret: Uint8Array, step: number, options: TotpOptions = DEFAULT_TOTP): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac(options.algorithm.toLowerCase(), secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** options.digits).padStart(options.digits, '0');
}

/**
 * Checks a code against the steps now-1, now and now+1 (RFC 6238 §5.2: one step of clock drift either way)
 * and returns the matching step, or null. Steps at or before `lastAcceptedStep` never match: a code is
 * accepted once only (§5.2, "MUST NOT accept the second attempt").
 */
export function verifyTotp(
  secret: Uint8Array,
  code: string,
  unixMillis: number,
  lastAcceptedStep: number | null,
  options: TotpOptions = DEFAULT_TOTP,
): number | null {
  if (code.length !== options.digits) return null;
  const current = totpStep(unixMillis, options.stepSeconds);
  let matched: number | null = null;
  for (const step of [current - 1, current, current + 1]) {
    const expected = Buffer.from(totpAt(secret, step, options));
    const ok = timingSafeEqual(expected, Buffer.from(code.padEnd(options.digits).slice(0, options.digits)));
    if (ok && (lastAcceptedStep === null || step > lastAcceptedStep) && matched === null) matched = step;
  }
  return matched;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32 without padding, the form authenticator apps take. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** The `otpauth://` URI authenticator apps read from a QR code (Key Uri Format). */
export function otpauthUri(
  issuer: string,
  account: string,
  secretBase32: string,
  options: TotpOptions = DEFAULT_TOTP,
): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret: secretBase32,
    issuer,
    algorithm: options.algorithm,
    digits: String(options.digits),
    period: String(options.stepSeconds),
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}
