import assert from 'node:assert/strict';
import { createHmac, hkdfSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { aeadDecrypt, aeadEncrypt, importAeadKey } from './aead';
import { SFrameReceiver, sframeEncrypt } from './context';
import { decodeHeader, encodeHeader } from './header';
import { deriveKeyMaterial, deriveKeySalt, derivationLabels } from './keys';
import { type SFrameSuite, suiteParams } from './suites';
import {
  type AeadCase,
  type HeaderCase,
  type SFrameCase,
  type VectorCase,
  VectorFormatError,
  bytesToHex,
  checkVectors,
  parseVectors,
} from './vectors';

// shared/ sits beside the repository: <repo>/../shared/vectors.
const VECTORS_DIR = path.resolve(__dirname, '../../../../../shared/vectors');

function loadText(file: string): string {
  const full = path.join(VECTORS_DIR, file);
  if (!existsSync(full)) {
    throw new Error(`SFrame test vectors missing: ${full} (shared/vectors/ must sit beside the repository)`);
  }
  return readFileSync(full, 'utf8');
}

const rfc = parseVectors(loadText('sframe-rfc9605.json'));
const aes256 = parseVectors(loadText('sframe-aes256-ctr-hmac.json'));

const ofKind = <K extends VectorCase['kind']>(cases: VectorCase[], kind: K) =>
  cases.filter((c): c is Extract<VectorCase, { kind: K }> => c.kind === kind);

const hex = bytesToHex;

function checkHeaderCase(c: HeaderCase): void {
  assert.equal(hex(encodeHeader(c.kid, c.ctr)), hex(c.encoded), `encode ${c.name}`);
  assert.deepEqual(
    decodeHeader(c.encoded),
    { kid: c.kid, ctr: c.ctr, length: c.encoded.length },
    `decode ${c.name}`,
  );
}

async function checkAeadCase(c: AeadCase): Promise<void> {
  const suite = suiteParams(c.suite);
  assert.equal(hex(c.key.subarray(0, suite.nka)), hex(c.encKey ?? new Uint8Array()), 'enc_key = key[..Nka]');
  assert.equal(hex(c.key.subarray(suite.nka)), hex(c.authKey ?? new Uint8Array()), 'auth_key = key[Nka..]');
  const ct = await aeadEncrypt(await importAeadKey(suite, c.key, 'encrypt'), c.nonce, c.aad, c.pt);
  assert.equal(hex(ct), hex(c.ct), 'AEAD.Encrypt(key, nonce, aad, pt) == ct');
  const pt = await aeadDecrypt(await importAeadKey(suite, c.key, 'decrypt'), c.nonce, c.aad, c.ct);
  assert.equal(hex(pt), hex(c.pt), 'AEAD.Decrypt(key, nonce, aad, ct) == pt');
}

async function checkSFrameCase(c: SFrameCase): Promise<void> {
  const suite = suiteParams(c.suite);
  const hash = suite.hash === 'SHA-256' ? 'sha256' : 'sha512';
  const labels = derivationLabels(c.suite, c.kid);
  assert.equal(hex(labels.key), hex(c.keyLabel ?? new Uint8Array()), 'sframe_key_label');
  assert.equal(hex(labels.salt), hex(c.saltLabel ?? new Uint8Array()), 'sframe_salt_label');
  // HKDF-Extract with an empty salt, computed independently of WebCrypto.
  const secret = createHmac(hash, Buffer.alloc(suite.nh)).update(c.baseKey).digest();
  assert.equal(hex(secret), hex(c.secret ?? new Uint8Array()), 'sframe_secret');
  const derived = await deriveKeySalt(c.suite, c.baseKey, c.kid);
  assert.equal(hex(derived.key), hex(c.sframeKey ?? new Uint8Array()), 'sframe_key');
  assert.equal(hex(derived.salt), hex(c.sframeSalt ?? new Uint8Array()), 'sframe_salt');
  const nodeKey = new Uint8Array(hkdfSync(hash, c.baseKey, new Uint8Array(0), labels.key, suite.nk));
  assert.equal(hex(derived.key), hex(nodeKey), 'sframe_key agrees with node:crypto HKDF');

  const key = await deriveKeyMaterial(c.suite, c.baseKey, c.kid, 'encrypt');
  assert.equal(hex(key.nonce(c.ctr)), hex(c.nonce ?? new Uint8Array()), 'nonce = salt XOR CTR');
  const header = encodeHeader(c.kid, c.ctr);
  assert.equal(hex(header) + hex(c.metadata), hex(c.aad ?? new Uint8Array()), 'aad = header || metadata');
  const ct = await sframeEncrypt(key, c.ctr, c.pt, { metadata: c.metadata });
  assert.equal(hex(ct), hex(c.ct), 'encrypt(CTR, KID, metadata, pt) == ct');

  const receiver = new SFrameReceiver({ suite: c.suite as SFrameSuite });
  await receiver.addKey(c.kid, c.baseKey);
  const frame = await receiver.decrypt(c.ct, c.metadata);
  assert.equal(hex(frame.plaintext), hex(c.pt), 'decrypt(metadata, ct) == pt');
  assert.deepEqual([frame.kid, frame.ctr], [c.kid, c.ctr]);
}

describe('RFC 9605 Appendix C vectors, with AES-256-CTR AEAD cases (shared/vectors/sframe-rfc9605.json)', () => {
  it('holds 289 header, 6 AEAD and 5 SFrame cases', () => {
    assert.equal(ofKind(rfc, 'header').length, 289);
    assert.equal(ofKind(rfc, 'aead').length, 6);
    assert.equal(ofKind(rfc, 'sframe').length, 5);
  });

  it('every header encodes to, and decodes from, its encoded form', () => {
    for (const c of ofKind(rfc, 'header')) checkHeaderCase(c);
  });

  for (const c of ofKind(rfc, 'aead')) {
    it(`AEAD ${c.name}: AEAD.Encrypt gives ct and AEAD.Decrypt gives pt`, () => checkAeadCase(c));
  }

  for (const c of ofKind(rfc, 'sframe')) {
    it(`SFrame ${c.name}: derivation, encrypt and decrypt match`, () => checkSFrameCase(c));
  }
});

describe('AES-256-CTR/HMAC-SHA512 vectors (shared/vectors/sframe-aes256-ctr-hmac.json)', () => {
  it('holds 3 SFrame cases, one per suite 6, 7 and 8', () => {
    assert.deepEqual(
      ofKind(aes256, 'sframe').map((c) => c.suite),
      [6, 7, 8],
    );
  });

  for (const c of ofKind(aes256, 'sframe')) {
    it(`${c.name}: derivation, encrypt and decrypt match`, () => checkSFrameCase(c));
  }
});

describe('parseVectors()', () => {
  it('reads KIDs and counters up to 2^64 - 1 exactly', () => {
    const [c] = parseVectors('{"h":[{"kid":18446744073709551615,"ctr":9007199254740993,"encoded":"00"}]}');
    assert.equal(c.kind, 'header');
    assert.equal((c as HeaderCase).kid, (1n << 64n) - 1n);
    assert.equal((c as HeaderCase).ctr, 9007199254740993n);
  });

  it('throws VectorFormatError naming the field for text that is not of the schema', () => {
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['[]', /JSON object/],
      ['{}', /no test cases/],
      ['{"s": 1}', /s: expected an array/],
      ['{"s": [{"kid": 1}]}', /s\[0\]: not a header, AEAD or SFrame case/],
      ['{"s": [{"kid": 1.5, "ctr": 0, "encoded": "00"}]}', /s\[0\]\.kid: expected an integer/],
      ['{"s": [{"kid": 1, "ctr": 0, "encoded": "0"}]}', /s\[0\]\.encoded: expected an even-length hex/],
      ['{"s": [{"cipher_suite": 1, "key": "zz"}]}', /s\[0\]\.key: expected an even-length hex/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseVectors(text),
        (err: unknown) => err instanceof VectorFormatError && message.test(err.message),
        text,
      );
    }
  });
});

describe('checkVectors()', () => {
  it('passes every case of both files', async () => {
    for (const results of [await checkVectors(rfc), await checkVectors(aes256)]) {
      assert.deepEqual(
        results.filter((r) => r.failures.length > 0),
        [],
      );
    }
  });

  it('fails exactly the tampered cases, saying what differs', async () => {
    let text = loadText('sframe-rfc9605.json');
    // Edits on the text itself, so every other number stays exact.
    const replaceOnce = (from: string, to: string): void => {
      assert.equal(text.split(from).length, 2, `${from} occurs once`);
      text = text.replace(from, to);
    };
    const flipped = (b: Uint8Array): string => {
      const copy = new Uint8Array(b);
      copy[copy.length - 1] ^= 1;
      return `"${hex(copy)}"`;
    };
    const header = ofKind(rfc, 'header')[3];
    const [aead] = ofKind(rfc, 'aead');
    const sframes = ofKind(rfc, 'sframe');
    replaceOnce(`"${hex(header.encoded)}"`, flipped(header.encoded));
    replaceOnce(`"${hex(aead.ct)}"`, flipped(aead.ct));
    replaceOnce(
      `"${hex(sframes[2].sframeKey ?? new Uint8Array())}"`,
      flipped(sframes[2].sframeKey ?? new Uint8Array()),
    );
    replaceOnce(`"${hex(sframes[3].ct)}"`, flipped(sframes[3].ct));
    replaceOnce('"cipher_suite": 5', '"cipher_suite": 9');

    const failed = (await checkVectors(parseVectors(text))).filter((r) => r.failures.length > 0);
    const byName = new Map(failed.map((r) => [r.name.split(' ')[0], r.failures.join('; ')]));
    assert.deepEqual(
      [...byName.keys()],
      ['header[3]', 'aes_ctr_hmac[0]', 'sframe[2]', 'sframe[3]', 'sframe[4]'],
    );
    assert.match(byName.get('header[3]') ?? '', /encoded header mismatch \(byte 2 of 3 differs\)/);
    assert.match(byName.get('aes_ctr_hmac[0]') ?? '', /ct mismatch.*AEAD\.Decrypt failed: auth_failed/);
    assert.match(byName.get('sframe[2]') ?? '', /^sframe_key mismatch \(byte 47 of 48 differs\)/);
    assert.match(byName.get('sframe[4]') ?? '', /unsupported_suite: SFrame cipher suite 9/);
    assert.match(
      byName.get('sframe[3]') ?? '',
      /^ct mismatch \(byte 41 of 42 differs\).*decrypt failed: auth_failed[^;]*$/,
    );
    assert.match(failed[4].name, /suite 9/);
  });
});
