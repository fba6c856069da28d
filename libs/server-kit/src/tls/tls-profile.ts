import { constants } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';

/**
 * TLS 1.2 suites allowed: ECDHE key exchange only (forward secrecy, no RSA key exchange) with an AEAD
 * (AES-GCM or ChaCha20-Poly1305) — no CBC, no SHA-1 MAC. Mozilla "intermediate" v5.7, ANSSI-PG-083
 * (guide TLS v1.2, R5–R8). ECDSA first: the appliance CA issues ECDSA certificates.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

/** TLS 1.3 suites (RFC 8446 §9.1): all AEAD; TLS_AES_128_CCM_8 is left out (truncated tag). */
export const TLS13_CIPHERSUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
] as const;

/** Key-exchange groups: X25519, P-256, P-384 (no P-521, no finite-field DH). */
export const TLS_GROUPS = ['X25519', 'P-256', 'P-384'] as const;

/** Signature algorithms offered in the handshake: none with SHA-1 (RFC 9155), no PKCS#1 v1.5 for TLS 1.3. */
export const TLS_SIGALGS = [
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'ed25519',
  'rsa_pss_rsae_sha256',
  'rsa_pss_rsae_sha384',
  'rsa_pss_pss_sha256',
  'rsa_pss_pss_sha384',
  'rsa_pkcs1_sha256',
  'rsa_pkcs1_sha384',
] as const;

/**
 * The one TLS profile every Conclave listener applies (docs/security/tls.md): TLS 1.3 preferred, TLS 1.2
 * with the suites above only, the server's order, no renegotiation, no compression, and no session tickets
 * (their key would live as long as the process and undo forward secrecy).
 */
export function tlsProfile(material: {
  cert: Buffer | string;
  key: Buffer | string;
  ca?: Buffer | string;
  /** Mutual TLS: clients must present a certificate chaining to this CA (the appliance root), or the handshake fails. */
  clientCa?: Buffer | string;
}) {
  const { clientCa, ...chain } = material;
  return {
    ...chain,
    ...(clientCa !== undefined ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : {}),
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    // Node takes the TLS 1.3 suites (TLS_…) in the same list as the TLS 1.2 ones.
    ciphers: [...TLS13_CIPHERSUITES, ...TLS12_CIPHERS].join(':'),
    ecdhCurve: TLS_GROUPS.join(':'),
    sigalgs: TLS_SIGALGS.join(':'),
    honorCipherOrder: true,
    secureOptions:
      constants.SSL_OP_NO_RENEGOTIATION | constants.SSL_OP_NO_COMPRESSION | constants.SSL_OP_NO_TICKET,
  } satisfies SecureContextOptions;
}
