/**
 * SFrame cipher suites: RFC 9605 §4.5 (ids from the IANA "SFrame Cipher Suites" registry, §8.1) and the
 * AES-256-CTR/HMAC-SHA512 suites 0x0006-0x0008 that draft-barnes-sframe-iana-256 added to that registry
 * (same §4.5.1 construction, 32-byte AES key and 64-byte HMAC key).
 */
import { SFrameError } from './errors';

export const SFrameSuite = {
  AES_128_CTR_HMAC_SHA256_80: 0x0001,
  AES_128_CTR_HMAC_SHA256_64: 0x0002,
  AES_128_CTR_HMAC_SHA256_32: 0x0003,
  AES_128_GCM_SHA256_128: 0x0004,
  AES_256_GCM_SHA512_128: 0x0005,
  AES_256_CTR_HMAC_SHA512_80: 0x0006,
  AES_256_CTR_HMAC_SHA512_64: 0x0007,
  AES_256_CTR_HMAC_SHA512_32: 0x0008,
} as const;
export type SFrameSuite = (typeof SFrameSuite)[keyof typeof SFrameSuite];

/** Conclave's suite: full 128-bit tags, 256-bit keys. */
export const DEFAULT_SUITE: SFrameSuite = SFrameSuite.AES_256_GCM_SHA512_128;

/** The constants of RFC 9605 §4.4 (`Nh`, `Nka`, `Nk`, `Nn`, `Nt`) for one suite. */
export interface SuiteParams {
  readonly id: SFrameSuite;
  readonly name: keyof typeof SFrameSuite;
  /** GCM is WebCrypto's AEAD; CTR_HMAC is the §4.5.1 encrypt-then-MAC construction. */
  readonly aead: 'AES-GCM' | 'AES-CTR-HMAC';
  /** Hash for HKDF (§4.4.2) and, for CTR_HMAC, for the tag. */
  readonly hash: 'SHA-256' | 'SHA-512';
  /** Hash output size in bytes. */
  readonly nh: number;
  /** AES key size in bytes inside a CTR_HMAC key (0 for GCM). */
  readonly nka: number;
  /** AEAD key size in bytes (for CTR_HMAC: Nka + Nh, §4.5.1). */
  readonly nk: number;
  /** Nonce size in bytes. */
  readonly nn: number;
  /** Tag size in bytes: what encryption adds besides the header. */
  readonly nt: number;
}

// The registry's columns (RFC 9605 §4.5 table, draft-barnes-sframe-iana-256 §4.2): Nh, Nka, Nk, Nt; Nn is 12.
// Nka = 0 marks AES-GCM; otherwise the suite is the §4.5.1 CTR_HMAC construction, Nk = Nka + Nh.
const TABLE: readonly [keyof typeof SFrameSuite, number, number, number, number][] = [
  ['AES_128_CTR_HMAC_SHA256_80', 32, 16, 48, 10],
  ['AES_128_CTR_HMAC_SHA256_64', 32, 16, 48, 8],
  ['AES_128_CTR_HMAC_SHA256_32', 32, 16, 48, 4],
  ['AES_128_GCM_SHA256_128', 32, 0, 16, 16],
  ['AES_256_GCM_SHA512_128', 64, 0, 32, 16],
  ['AES_256_CTR_HMAC_SHA512_80', 64, 32, 96, 10],
  ['AES_256_CTR_HMAC_SHA512_64', 64, 32, 96, 8],
  ['AES_256_CTR_HMAC_SHA512_32', 64, 32, 96, 4],
];

const SUITE_LIST: SuiteParams[] = TABLE.map(([name, nh, nka, nk, nt]) => ({
  id: SFrameSuite[name],
  name,
  aead: nka === 0 ? 'AES-GCM' : 'AES-CTR-HMAC',
  hash: nh === 32 ? 'SHA-256' : 'SHA-512',
  nh,
  nka,
  nk,
  nn: 12,
  nt,
}));
const SUITES: ReadonlyMap<number, SuiteParams> = new Map(SUITE_LIST.map((p) => [p.id, Object.freeze(p)]));

/** The constants of `suite`; throws SFrameError('unsupported_suite') for any other id. */
export function suiteParams(suite: number): SuiteParams {
  const params = SUITES.get(suite);
  if (!params) throw new SFrameError('unsupported_suite', `SFrame cipher suite ${suite} is not supported`);
  return params;
}

/** Every implemented suite, in id order. */
export function supportedSuites(): SuiteParams[] {
  return [...SUITES.values()];
}
