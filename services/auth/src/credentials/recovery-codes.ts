import { randomInt } from 'node:crypto';
import { sha256Hex } from '../tokens/session-store';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** A recovery code: three groups of four base32 letters, 60 random bits, e.g. `k3xq-7mzd-a2pf`. */
export function newRecoveryCode(): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]!);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

/** Codes carry 60 random bits, so a plain SHA-256 suffices to store them (no guessing a low-entropy secret). */
export function hashRecoveryCode(code: string): string {
  return sha256Hex(code.toLowerCase());
}

export function isRecoveryCodeShape(value: string): boolean {
  return /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/.test(value);
}
