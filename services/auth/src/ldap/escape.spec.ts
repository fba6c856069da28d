import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeFilterValue, fillFilter } from './escape';

test('escapeFilterValue() escapes the RFC 4515 specials, NUL and the UTF-8 bytes of non-ASCII letters', () => {
  assert.equal(escapeFilterValue('*'), '\\2a');
  assert.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a');
  assert.equal(escapeFilterValue('admin)(|(uid=*'), 'admin\\29\\28|\\28uid=\\2a');
  assert.equal(escapeFilterValue('a\\b'), 'a\\5cb');
  assert.equal(escapeFilterValue('a\u0000b'), 'a\\00b');
  assert.equal(escapeFilterValue('Zoë Ørsted'), 'Zo\\c3\\ab \\c3\\98rsted');
});

test('fillFilter() escapes each placeholder value and leaves the template around it intact', () => {
  assert.equal(
    fillFilter('(&(objectClass=person)(uid={username}))', { username: '*)(uid=*' }),
    '(&(objectClass=person)(uid=\\2a\\29\\28uid=\\2a))',
  );
  assert.equal(fillFilter('(member={dn})', { dn: 'cn=a\\,b,dc=x' }), '(member=cn=a\\5c,b,dc=x)');
});
