import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateEntropyBits, PasswordPolicy } from './password-policy';

const policy = new PasswordPolicy({ minLength: 12, minEntropyBits: 78 });
const refusal = (password: string, username = 'someone') => {
  try {
    policy.check(password, username);
    return undefined;
  } catch (error) {
    return (error as { code: string }).code;
  }
};

test('estimateEntropyBits() follows the CNIL estimate: length × log2(alphabet)', () => {
  assert.equal(estimateEntropyBits('abcdefghijkl'), Math.round(12 * Math.log2(26)));
  assert.equal(estimateEntropyBits('aB3$aB3$aB3$'), Math.round(12 * Math.log2(95)));
  assert.equal(estimateEntropyBits(''), 0);
});

test('check() accepts 12 characters from the four classes and 14+ from three (CNIL 2022-100 examples)', () => {
  assert.equal(refusal('Tr0ub4dor&3x'), undefined);
  assert.equal(refusal('correcthorsebatterystap'), undefined);
  assert.equal(refusal('Abcdefghij1234'), undefined);
});

test('check() refuses short, low-entropy, repeated and name-containing passwords with weak_password', () => {
  assert.equal(refusal('Sh0rt!pw'), 'weak_password');
  assert.equal(refusal('abcdefghijklmn'), 'weak_password');
  assert.equal(refusal('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), 'weak_password');
  assert.equal(refusal('Xx-someone-2024!', 'someone'), 'weak_password');
});
