import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAcceptableUsername, throttleName } from './usernames';

test('isAcceptableUsername() refuses leading, trailing and control whitespace and accepts inner spaces', () => {
  for (const bad of [
    'alice ',
    ' alice',
    '\talice',
    'alice\n',
    'al\u00a0ice',
    'alice\u200b',
    'a\u0000',
    '',
    ' ',
  ])
    assert.equal(isAcceptableUsername(bad), false, JSON.stringify(bad));
  for (const good of ['alice', 'Zoë Ørsted', "o'brien (ops)", 'a', '#lead'])
    assert.equal(isAcceptableUsername(good), true, good);
  assert.equal(isAcceptableUsername('a'.repeat(257)), false);
});

test('throttleName() gives one key for the spellings a directory takes for one name', () => {
  assert.equal(throttleName('ALICE'), 'alice');
  assert.equal(throttleName('Zoë  Ørsted'), throttleName('zoë ørsted'));
  assert.equal(throttleName('ａｌｉｃｅ'), 'alice');
});
