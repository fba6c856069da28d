import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditSink } from '@conclave/server-kit';
import type { LdapConfig } from '../config';
import type { UserStore } from '../storage/user-store';
import type { Directory } from './directory';
import { LdapSource, mapGroupsToRoles } from './ldap-source';

test('verify() of a found user refuses an empty password without any bind', async () => {
  const calls: string[] = [];
  const directory: Directory = {
    findUser: async (username) => (
      calls.push(`find ${username}`),
      { id: 'uuid-a', username: 'a', dn: 'uid=a,dc=x', displayName: 'A', groups: [] }
    ),
    verifyPassword: async () => (calls.push('bind'), true),
    searchPeople: async () => [],
    searchGroups: async () => [],
    close: async () => undefined,
  };
  const source = new LdapSource(
    directory,
    {} as UserStore,
    { roleMap: {}, defaultRoles: ['member'] } as unknown as LdapConfig,
    new MemoryAuditSink(),
  );
  const candidate = await source.find('alice');
  assert.ok(candidate !== null);
  assert.equal(candidate.canonicalName, 'a');
  assert.deepEqual(await candidate.verify(''), { kind: 'rejected', reason: 'empty_password' });
  assert.deepEqual(calls, ['find alice']);
});

test('mapGroupsToRoles() matches group DNs case- and spacing-insensitively and adds the default roles', () => {
  const config = {
    roleMap: {
      'cn=Conclave Admins,ou=Groups,dc=example,dc=org': ['admin' as const],
      'cn=auditors,ou=groups,dc=example,dc=org': ['security-officer' as const],
    },
    defaultRoles: ['member' as const],
  };
  assert.deepEqual(mapGroupsToRoles(['CN=conclave admins, OU=groups, DC=Example, DC=org'], config).sort(), [
    'admin',
    'member',
  ]);
  assert.deepEqual(mapGroupsToRoles(['cn=other,ou=groups,dc=example,dc=org'], config), ['member']);
  assert.deepEqual(mapGroupsToRoles([], { roleMap: {}, defaultRoles: [] }), []);
});
