import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger, ManualClock, MemoryAuditSink } from '@conclave/server-kit';
import { openAuthCore } from '../auth-core';
import { parseAuthConfig } from '../config';

test('purge() deletes directory/SSO profiles inactive past the retention, keeps active ones and local accounts, and audits it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-auth-retention-'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const audit = new MemoryAuditSink();
  const core = await openAuthCore(
    parseAuthConfig({
      http: { port: 0 },
      internal: { port: 0 },
      dataDir: dir,
      retention: { inactiveProfilesDays: 30 },
    }),
    { audit, clock, log: createLogger('test', { level: 'error', write: () => undefined }) },
  );
  try {
    const stale = await core.users.create({
      source: 'ldap',
      username: 'stale',
      displayName: 'Stale',
      roles: ['member'],
      groups: ['cn=g'],
    });
    const local = await core.users.create({
      source: 'local',
      username: 'local',
      displayName: 'Local',
      roles: ['member'],
    });
    clock.advance(20 * 86_400_000);
    const recent = await core.users.create({
      source: 'oidc',
      username: 'recent',
      displayName: 'Recent',
      roles: ['member'],
    });
    assert.equal(await core.retention.purge(), 0, 'nothing is older than 30 days yet');
    clock.advance(11 * 86_400_000);
    assert.equal(await core.retention.purge(), 1);
    assert.equal(await core.users.findById(stale.id), null, 'the inactive directory profile is gone');
    assert.notEqual(await core.users.findById(recent.id), null, 'a profile used 11 days ago stays');
    assert.notEqual(await core.users.findById(local.id), null, 'local accounts are not purged');
    const purges = audit.events.filter((e) => e.action === 'auth.retention.purge');
    assert.deepEqual(purges.at(-1)?.details, {
      dataClass: 'inactive-profiles',
      deleted: 1,
      olderThanDays: 30,
    });
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
