import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillFilter } from './escape';
import { buildContainsFilter, buildSearchFilter } from './ldapjs-filter';

const TEMPLATE = '(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))';

test('buildSearchFilter() carries the raw value in BER and prints as the RFC 4515 escaped filter', () => {
  for (const username of [`o'brien (ops)`, '*)(uid=*', 'back\\slash', 'Zoë']) {
    const filter = buildSearchFilter(TEMPLATE, { username });
    assert.equal(filter.toString(), fillFilter(TEMPLATE, { username }));
    const ber = (filter as unknown as { toBer(): { buffer: Buffer } }).toBer().buffer;
    assert.ok(ber.includes(Buffer.from(username, 'utf8')), 'the raw value is in the encoded filter');
  }
});

test('buildSearchFilter() fills extensible-match assertions (AD nested groups)', () => {
  const dn = 'CN=Smith\\, J (ops),DC=x';
  const filter = buildSearchFilter('(member:1.2.840.113556.1.4.1941:={dn})', { dn });
  const ber = (filter as unknown as { toBer(): { buffer: Buffer } }).toBer().buffer;
  assert.ok(ber.includes(Buffer.from(dn)));
  assert.ok(ber.includes(Buffer.from('1.2.840.113556.1.4.1941')));
});

test('buildSearchFilter() refuses a placeholder inside a substring assertion', () => {
  assert.throws(() => buildSearchFilter('(uid=*{username}*)', { username: 'a' }), /whole value/);
});

test('buildContainsFilter() replaces the placeholder assertion by a contains search over each attribute, keeping the rest', () => {
  const filter = buildContainsFilter(TEMPLATE, 'username', ['uid', 'cn'], '*)(uid=*');
  assert.equal(
    filter.toString(),
    '(&(objectClass=inetOrgPerson)(|(|(uid=*\\2a\\29\\28uid=\\2a*)(cn=*\\2a\\29\\28uid=\\2a*))(|(uid=*\\2a\\29\\28uid=\\2a*)(cn=*\\2a\\29\\28uid=\\2a*))))',
  );
  const ber = (filter as unknown as { toBer(): { buffer: Buffer } }).toBer().buffer;
  assert.ok(ber.includes(Buffer.from('*)(uid=*')), 'the raw text is in the encoded filter');
});

test('buildContainsFilter() refuses a template without the placeholder', () => {
  assert.throws(() => buildContainsFilter('(objectClass=person)', 'username', ['cn'], 'a'), /whole value/);
});
