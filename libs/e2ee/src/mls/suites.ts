/**
 * The MLS cipher suites a Conclave room may use, as a configuration value, and their ts-mls implementations.
 *
 * - `'aes256'` (default): `MLS_256_DHKEMP384_AES256GCM_SHA384_P384`, RFC 9420 §17.1 code point 0x0007, an
 *   IANA-registered suite. Every primitive runs in native WebCrypto (ECDH and ECDSA P-384, AES-256-GCM,
 *   HKDF/HMAC-SHA-384): constant-time implementations, no package besides ts-mls. ts-mls would sign P-384 with
 *   `@noble/curves` (pure JavaScript, not installed); `webCryptoProvider` below signs with WebCrypto instead.
 *   Measured as fast as X-Wing, with messages 4 to 7 times smaller (see measureMlsRekey).
 * - `'xwing-pq'`: `MLS_256_XWING_AES256GCM_SHA512_Ed25519`, ts-mls code point 83 — X-Wing hybrid KEM
 *   (X25519 + ML-KEM-768, via `@hpke/hybridkem-x-wing`), AES-256-GCM, Ed25519. Resists a future quantum
 *   adversary recording today's handshakes. Code point 83 is ts-mls's own, not IANA's: only ts-mls peers
 *   understand it (fine while every Conclave client runs ts-mls). ML-KEM runs in pure JavaScript.
 */
import { DEFAULT_E2EE_SUITE, E2EE_SUITES, type E2eeSuite } from '@conclave/protocol';
import { MlsError } from './errors';
import {
  defaultCryptoProvider,
  getCiphersuiteFromName,
  type CiphersuiteImpl,
  type CiphersuiteName,
  type CryptoProvider,
} from './ts-mls-crypto';
import { webCryptoEcdsa, type EcdsaCurve } from './webcrypto-ecdsa';

/** The suite names are part of the wire protocol (room setting, join ticket, hello): defined there once. */
export type MlsSuite = E2eeSuite;

export const DEFAULT_MLS_SUITE: MlsSuite = DEFAULT_E2EE_SUITE;

export const MLS_SUITES: readonly MlsSuite[] = E2EE_SUITES;

const CIPHERSUITE_NAMES: Readonly<Record<MlsSuite, CiphersuiteName>> = {
  aes256: 'MLS_256_DHKEMP384_AES256GCM_SHA384_P384',
  'xwing-pq': 'MLS_256_XWING_AES256GCM_SHA512_Ed25519',
};

/** The MLS cipher suite name (RFC 9420 §17.1 naming) behind a Conclave suite value. */
export function ciphersuiteNameOf(suite: MlsSuite): CiphersuiteName {
  const name = CIPHERSUITE_NAMES[suite];
  if (name === undefined) throw new MlsError('unsupported_suite', `unknown MLS suite '${String(suite)}'`);
  return name;
}

/** The Conclave suite value of an MLS cipher suite name, or undefined if Conclave does not use that suite. */
export function mlsSuiteOf(name: CiphersuiteName): MlsSuite | undefined {
  return MLS_SUITES.find((s) => CIPHERSUITE_NAMES[s] === name);
}

const ECDSA_CURVES: Readonly<Partial<Record<string, EcdsaCurve>>> = {
  P256: 'P-256',
  P384: 'P-384',
  P521: 'P-521',
};

/**
 * ts-mls's default provider, except that ECDSA signatures (suites 2, 5, 7) use WebCrypto. Everything else is
 * the library's own code: HPKE (`@hpke/core` over WebCrypto), HKDF, HMAC, AES-GCM.
 */
export const webCryptoProvider: CryptoProvider = {
  async getCiphersuiteImpl(cs) {
    const curve = ECDSA_CURVES[cs.signature];
    if (curve === undefined) return defaultCryptoProvider.getCiphersuiteImpl(cs);
    // Build the rest with a signature algorithm the default provider has natively, then swap it.
    const rest = await defaultCryptoProvider.getCiphersuiteImpl({ ...cs, signature: 'Ed25519' });
    return { ...rest, signature: webCryptoEcdsa(curve) };
  },
};

const loaded = new Map<CiphersuiteName, Promise<CiphersuiteImpl>>();

/** The implementation of an MLS cipher suite (cached). Throws MlsError('unsupported_suite') if it cannot run. */
export function loadCiphersuite(name: CiphersuiteName): Promise<CiphersuiteImpl> {
  let impl = loaded.get(name);
  if (impl === undefined) {
    impl = webCryptoProvider.getCiphersuiteImpl(getCiphersuiteFromName(name)).catch((cause: unknown) => {
      loaded.delete(name);
      throw new MlsError('unsupported_suite', `MLS cipher suite ${name} cannot run here`, { cause });
    });
    loaded.set(name, impl);
  }
  return impl;
}

/** The implementation behind a Conclave suite value. */
export function loadSuite(suite: MlsSuite): Promise<CiphersuiteImpl> {
  return loadCiphersuite(ciphersuiteNameOf(suite));
}
