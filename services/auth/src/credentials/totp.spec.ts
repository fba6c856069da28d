import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  base32Decode,
  base32Encode,
  totpAt,
  totpStep,
  verifyTotp,
  type TotpAlgorithm,
  type TotpOptions,
} from './totp';

interface Vectors {
  step: number;
  digits: number;
  secrets: Record<TotpAlgorithm, string>;
  cases: ({ time: number } & Record<TotpAlgorithm, string>)[];
}

const vectors = JSON.parse(
  readFileSync(join(__dirname, '../../../../../shared/vectors/totp-rfc6238.json'), 'utf8'),
) as Vectors;
const ALGORITHMS: TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

test('totpAt() reproduces every RFC 6238 Appendix B value for SHA1, SHA256 and SHA512', () => {
  assert.equal(vectors.cases.length, 6);
  for (const algorithm of ALGORITHMS) {
    const options: TotpOptions = { algorithm, digits: vectors.digits, stepSeconds: vectors.step };
    const secret = Buffer.from(vectors.secrets[algorithm], 'ascii');
    for (const c of vectors.cases) {
      assert.equal(
        totpAt(secret, totpStep(c.time * 1000, vectors.step), options),
        c[algorithm],
        `${algorithm} at ${c.time}`,
      );
    }
  }
});

const options: TotpOptions = { algorithm: 'SHA1', digits: 8, stepSeconds: 30 };
const secret = Buffer.from(vectors.secrets.SHA1, 'ascii');

test('verifyTotp() accepts the codes of the previous and next step and refuses two steps away', () => {
  const at = 1111111109 * 1000;
  const step = totpStep(at, 30);
  assert.equal(verifyTotp(secret, totpAt(secret, step - 1, options), at, null, options), step - 1);
  assert.equal(verifyTotp(secret, totpAt(secret, step + 1, options), at, null, options), step + 1);
  assert.equal(verifyTotp(secret, totpAt(secret, step - 2, options), at, null, options), null);
  assert.equal(verifyTotp(secret, totpAt(secret, step + 2, options), at, null, options), null);
});

test('verifyTotp() refuses a code whose step was already accepted, and any earlier step', () => {
  const at = 1234567890 * 1000;
  const step = totpStep(at, 30);
  const code = totpAt(secret, step, options);
  assert.equal(verifyTotp(secret, code, at, null, options), step);
  assert.equal(verifyTotp(secret, code, at, step, options), null);
  assert.equal(verifyTotp(secret, totpAt(secret, step - 1, options), at, step, options), null);
});

test('verifyTotp() refuses codes of the wrong length or with the wrong digits', () => {
  const at = 59 * 1000;
  assert.equal(verifyTotp(secret, '9428708', at, null, options), null);
  assert.equal(verifyTotp(secret, '94287083', at, null, options), null);
});

test('base32Encode() and base32Decode() round-trip and match RFC 4648 §10', () => {
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
  assert.equal(Buffer.from(base32Decode('MZXW6YTBOI')).toString(), 'foobar');
  const bytes = Uint8Array.from({ length: 20 }, (_, i) => i * 13);
  assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
});
