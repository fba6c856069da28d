import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CertificateAuthority } from '@conclave/server-kit';

test('status() reports a service certificate past its notAfter as expired, and rotate() re-issues it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-ca-'));
  const ca = await CertificateAuthority.init(join(dir, 'pki'), {
    passphrase: 'a test passphrase, not a secret',
  });
  await ca.issue('sfu', { ip: ['127.0.0.1'], days: 90, now: new Date(Date.now() - 91 * 86_400_000) });
  await ca.issue('web', { dns: ['localhost'] });
  const before = await ca.status();
  assert.deepEqual(
    before.map((entry) => [entry.name, entry.state]),
    [
      ['root', 'ok'],
      ['intermediate', 'ok'],
      ['sfu', 'expired'],
      ['web', 'ok'],
    ],
  );

  const rotated = await ca.rotate({});
  assert.deepEqual(rotated, { intermediate: false, services: ['sfu'] });
  const sfu = (await ca.status()).find((entry) => entry.name === 'sfu')!;
  assert.equal(sfu.state, 'ok');
  assert.deepEqual(sfu.names, ['ip:127.0.0.1', 'url:urn:conclave:service:sfu']);
});
