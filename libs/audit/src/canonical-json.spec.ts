import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from './canonical-json';

test('canonicalJson() sorts keys at every depth and drops undefined members', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [true, null], c: 'x' }, z: undefined }),
    '{"a":{"c":"x","d":[true,null]},"b":1}',
  );
});

test('canonicalJson() gives the same text for objects built in a different order', () => {
  assert.equal(canonicalJson({ x: 1, y: 'é"' }), canonicalJson({ y: 'é"', x: 1 }));
});

test('canonicalJson() refuses non-finite numbers', () => {
  assert.throws(() => canonicalJson({ n: Number.NaN }), TypeError);
});
