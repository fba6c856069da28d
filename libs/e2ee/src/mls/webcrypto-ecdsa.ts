/**
 * ECDSA for the MLS cipher suites on NIST curves (RFC 9420 §17.1: 0x0002 P-256, 0x0005 P-521, 0x0007 P-384)
 * through WebCrypto alone. The pinned ts-mls signs these curves with `@noble/curves` (pure JavaScript, not
 * installed here); WebCrypto is native and constant-time in Node and in browsers.
 *
 * Encodings, RFC 9420 §5.1.1 and §5.1.2 (both by reference to TLS 1.3, RFC 8446 §4.2.3):
 * - signature public key: the SEC1 uncompressed point `0x04 || X || Y` (compressed points are refused, so a key
 *   has exactly one encoding and the library's "signature keys unique" check cannot be bypassed);
 * - signature: DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`, parsed strictly (minimal lengths
 *   and integers, nothing trailing);
 * - private key: what WebCrypto exports (PKCS #8). A bare big-endian scalar of at most the curve's size (the
 *   format of the MLS test vectors) is also accepted and wrapped into PKCS #8.
 */
import { bufferSource } from './bytes';
import type { Signature } from './ts-mls-crypto';

export type EcdsaCurve = 'P-256' | 'P-384' | 'P-521';

interface CurveParams {
  /** Bytes of a coordinate or scalar. */
  readonly size: number;
  /** Hash paired with the curve in the MLS suite (RFC 9420 §17.1). */
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** DER of the curve's OID (RFC 5480 §2.1.1.1). */
  readonly oid: readonly number[];
}

const CURVES: Readonly<Record<EcdsaCurve, CurveParams>> = {
  // secp256r1, 1.2.840.10045.3.1.7
  'P-256': { size: 32, hash: 'SHA-256', oid: [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07] },
  // secp384r1, 1.3.132.0.34
  'P-384': { size: 48, hash: 'SHA-384', oid: [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22] },
  // secp521r1, 1.3.132.0.35
  'P-521': { size: 66, hash: 'SHA-512', oid: [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23] },
};

/** id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 §2.1.1). */
const EC_PUBLIC_KEY_OID = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const DER_SEQUENCE = 0x30;
const DER_INTEGER = 0x02;
const DER_OCTET_STRING = 0x04;
/** SEC1 §2.3.3: first byte of an uncompressed point. */
const SEC1_UNCOMPRESSED = 0x04;

/** A ts-mls `Signature` implementation over WebCrypto ECDSA on `curve`. */
export function webCryptoEcdsa(curve: EcdsaCurve): Signature {
  const params = CURVES[curve];
  const algorithm = { name: 'ECDSA', namedCurve: curve } as const;
  const signParams = { name: 'ECDSA', hash: params.hash } as const;

  return {
    async keygen() {
      const pair = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
      const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
      const signKey = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
      return { publicKey, signKey };
    },

    async sign(signKey, message) {
      const pkcs8 = signKey.length <= params.size ? scalarToPkcs8(signKey, params) : signKey;
      const key = await crypto.subtle.importKey('pkcs8', bufferSource(pkcs8), algorithm, false, ['sign']);
      if (pkcs8 !== signKey) pkcs8.fill(0);
      const p1363 = new Uint8Array(await crypto.subtle.sign(signParams, key, bufferSource(message)));
      return p1363ToDer(p1363, params.size);
    },

    async verify(publicKey, message, signature) {
      if (publicKey.length !== 1 + 2 * params.size || publicKey[0] !== SEC1_UNCOMPRESSED) return false;
      const p1363 = derToP1363(signature, params.size);
      if (p1363 === undefined) return false;
      let key: CryptoKey;
      try {
        key = await crypto.subtle.importKey('raw', bufferSource(publicKey), algorithm, false, ['verify']);
      } catch {
        return false; // not a point on the curve
      }
      return crypto.subtle.verify(signParams, key, p1363, bufferSource(message));
    },
  };
}

/**
 * PKCS #8 PrivateKeyInfo around an RFC 5915 ECPrivateKey that omits the optional public key. The scalar is
 * left-padded to the curve size (RFC 5915 §3: fixed-length octet string; test vectors drop leading zeros).
 */
function scalarToPkcs8(scalar: Uint8Array, params: CurveParams): Uint8Array {
  const padded = new Array<number>(params.size - scalar.length).fill(0).concat([...scalar]);
  const ecPrivateKey = derTlv(DER_SEQUENCE, [
    ...[DER_INTEGER, 0x01, 0x01],
    ...derTlv(DER_OCTET_STRING, padded),
  ]);
  padded.fill(0);
  const algorithmId = derTlv(DER_SEQUENCE, [...EC_PUBLIC_KEY_OID, ...params.oid]);
  const body = [...[DER_INTEGER, 0x01, 0x00], ...algorithmId, ...derTlv(DER_OCTET_STRING, ecPrivateKey)];
  const out = Uint8Array.from(derTlv(DER_SEQUENCE, body));
  body.fill(0);
  ecPrivateKey.fill(0);
  return out;
}

function derTlv(tag: number, content: number[]): number[] {
  return [tag, ...derLength(content.length), ...content];
}

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  if (length < 0x100) return [0x81, length];
  return [0x82, length >> 8, length & 0xff];
}

/** WebCrypto's `r || s` as DER Ecdsa-Sig-Value. */
function p1363ToDer(p1363: Uint8Array, size: number): Uint8Array {
  const integer = (value: Uint8Array): number[] => {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    const digits = [...value.subarray(start)];
    if (digits[0] >= 0x80) digits.unshift(0); // keep it positive (X.690 §8.3)
    return derTlv(DER_INTEGER, digits);
  };
  return Uint8Array.from(
    derTlv(DER_SEQUENCE, [...integer(p1363.subarray(0, size)), ...integer(p1363.subarray(size))]),
  );
}

/** A strictly-DER Ecdsa-Sig-Value as WebCrypto's `r || s`, or undefined if it is not one. */
function derToP1363(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> | undefined {
  const reader = { offset: 0 };
  const sequence = readTlv(der, reader, DER_SEQUENCE);
  if (sequence === undefined || reader.offset !== der.length) return undefined;
  const inner = { offset: 0 };
  const r = readTlv(sequence, inner, DER_INTEGER);
  const s = readTlv(sequence, inner, DER_INTEGER);
  if (r === undefined || s === undefined || inner.offset !== sequence.length) return undefined;
  const out = new Uint8Array(2 * size);
  for (const [i, value] of [r, s].entries()) {
    const digits = unsignedDigits(value);
    if (digits === undefined || digits.length > size) return undefined;
    out.set(digits, (i + 1) * size - digits.length);
  }
  return out;
}

function readTlv(bytes: Uint8Array, reader: { offset: number }, tag: number): Uint8Array | undefined {
  let at = reader.offset;
  if (bytes[at++] !== tag || at >= bytes.length) return undefined;
  let length = bytes[at++];
  if (length === 0x81) {
    length = bytes[at++];
    if (length === undefined || length < 0x80) return undefined; // non-minimal length
  } else if (length > 0x80) {
    return undefined; // longer than any ECDSA signature we accept
  }
  if (length === 0x80 || at + length > bytes.length) return undefined; // indefinite or truncated
  reader.offset = at + length;
  return bytes.subarray(at, at + length);
}

/** The magnitude of a positive, minimally encoded DER INTEGER. */
function unsignedDigits(value: Uint8Array): Uint8Array | undefined {
  if (value.length === 0 || value[0] >= 0x80) return undefined; // empty or negative
  if (value[0] === 0) {
    if (value.length === 1 || value[1] < 0x80) return undefined; // zero, or a superfluous leading zero
    return value.subarray(1);
  }
  return value;
}
