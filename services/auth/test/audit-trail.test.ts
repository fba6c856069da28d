import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '@conclave/server-kit';
import { openAuditTrail, parseAuthConfig, AuthServer } from '../src/index';

test('with audit.trail set, sign-in failures land in the shared hash-chained trail, which verifies, without the password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-auth-trail-'));
  const trailConfig = {
    database: { type: 'sqlite' as const, path: join(dir, 'trail.db') },
    keyFile: join(dir, 'checkpoint.key'),
  };
  const config = parseAuthConfig({
    http: { host: '127.0.0.1', port: 0 },
    internal: { host: '127.0.0.1', port: 0 },
    dataDir: join(dir, 'auth'),
    audit: { trail: trailConfig },
  });
  const trail = await openAuditTrail(config.audit.trail!, false);
  const service = await AuthServer.start(config, {
    audit: trail.store,
    log: createLogger('auth-test', { level: 'error', write: () => undefined }),
  });
  const password = 'Wr0ng-Password-That-Must-Not-Leak';
  try {
    for (const username of ['nobody', 'someone-else']) {
      const response = await fetch(`${service.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      assert.equal(response.status, 401);
    }
  } finally {
    await service.close();
    await trail.close();
  }
  // A second process (the rooms service, `conclave audit verify`) reads the same trail.
  const reader = await openAuditTrail(config.audit.trail!, false);
  try {
    const verified = await reader.store.verify();
    assert.equal(verified.ok, true, JSON.stringify(verified.firstBad));
    // What a SIEM receives: the JSON-lines export of the trail.
    const lines: string[] = [];
    await reader.store.export('jsonl', { write: async (line) => void lines.push(line) });
    const entries = lines.map((line) => JSON.parse(line) as { action: string; outcome: string });
    const failures = entries.filter((e) => e.action.startsWith('auth.') && e.outcome === 'failure');
    assert.ok(failures.length >= 2, JSON.stringify(entries.map((e) => e.action)));
    assert.equal(lines.join('\n').includes(password), false, 'a password reached the audit trail');
  } finally {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
