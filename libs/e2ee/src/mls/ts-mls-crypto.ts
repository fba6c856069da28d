/**
 * The ts-mls modules under its `crypto/` folder, imported in one place. The repository's lint rule against
 * Node's `crypto` module matches any path segment named "crypto", so it flags these ts-mls files too (they run
 * on WebCrypto, in browsers as well); the exemptions below are for that false positive only.
 */
export {
  getCiphersuiteFromName,
  type CiphersuiteImpl,
  type CiphersuiteName,
} from 'ts-mls/crypto/ciphersuite.js';
export { defaultCryptoProvider } from 'ts-mls/crypto/implementation/default/provider.js';
export type { CryptoProvider } from 'ts-mls/crypto/provider.js';
export { signWithLabel, verifyWithLabel, type Signature } from 'ts-mls/crypto/signature.js';
