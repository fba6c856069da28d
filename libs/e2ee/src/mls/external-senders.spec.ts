import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeExternalSender } from 'ts-mls/externalSender.js';
import { deliveryServiceCredential } from './credentials';
import {
  decodeExternalSenders,
  encodeExternalSenders,
  externalSendersExtension,
  externalSendersOf,
  type ExternalSender,
} from './external-senders';

/** A P-384 uncompressed point's length (RFC 9420 §5.1.1 SignaturePublicKey of suite 7): 0x04 || X || Y. */
const key = (fill: number): Uint8Array => new Uint8Array(97).fill(fill).fill(0x04, 0, 1);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const sfu: ExternalSender = { signaturePublicKey: key(0xab), credential: deliveryServiceCredential() };

/**
 * RFC 9420 §12.1.8.1 for one sender, byte by byte (§2.1.2: a vector's length is a QUIC variable-length
 * integer; 0x40 prefixes a two-byte one). ExternalSender = signature_key<V> || Credential (§5.3:
 * uint16 credential_type = 1 basic, then identity<V>).
 */
const ONE_SENDER = new Uint8Array([
  0x40,
  0x7f, // external_senders<V>: 127 bytes follow
  0x40,
  0x61, // signature_key<V>: 97 bytes
  ...key(0xab),
  0x00,
  0x01, // credential_type = basic
  0x19, // identity<V>: 25 bytes
  ...ascii('conclave:delivery-service'),
]);

describe('external_senders (RFC 9420 §12.1.8.1 vector of ExternalSender)', () => {
  it('encodeExternalSenders() writes the vector: its length, then each ExternalSender', () => {
    assert.deepEqual(encodeExternalSenders([sfu]), ONE_SENDER);
    const two = encodeExternalSenders([sfu, sfu]);
    assert.deepEqual(two.subarray(0, 2), new Uint8Array([0x40, 0xfe]));
    assert.deepEqual(two.subarray(2), new Uint8Array([...ONE_SENDER.subarray(2), ...ONE_SENDER.subarray(2)]));
    assert.deepEqual(encodeExternalSenders([]), new Uint8Array([0x00]));
  });

  it('decodeExternalSenders() reads the vector back, in order', () => {
    const other: ExternalSender = { signaturePublicKey: key(0x11), credential: deliveryServiceCredential() };
    const decoded = decodeExternalSenders(encodeExternalSenders([sfu, other]));
    assert.deepEqual(
      decoded?.map((s) => s.signaturePublicKey),
      [sfu.signaturePublicKey, other.signaturePublicKey],
    );
    assert.deepEqual(decoded?.[0].credential, deliveryServiceCredential());
  });

  it("decodeExternalSenders() refuses ts-mls 1.6.4's single-sender form, trailing bytes and a truncated vector", () => {
    assert.equal(decodeExternalSenders(encodeExternalSender(sfu)), undefined);
    assert.equal(decodeExternalSenders(new Uint8Array([...ONE_SENDER, 0x00])), undefined);
    assert.equal(decodeExternalSenders(ONE_SENDER.subarray(0, ONE_SENDER.length - 1)), undefined);
  });

  it('externalSendersOf() gives [] without the extension and refuses two external_senders extensions', () => {
    assert.deepEqual(externalSendersOf([]), []);
    const extension = externalSendersExtension([sfu]);
    assert.equal(extension.extensionType, 'external_senders');
    assert.equal(externalSendersOf([extension])?.length, 1);
    assert.equal(externalSendersOf([extension, extension]), undefined);
  });
});
