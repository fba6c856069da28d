import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CertificateAuthority, createLogger, pkiPaths, UnavailableError } from '@conclave/server-kit';
import { startSfu, type SfuFixture } from '../../sfu/test/support/sfu-fixture';
import { HttpSfuControl } from '../src/sfu/sfu-control';

const PASSPHRASE = 'a test passphrase, not a secret';
const END = { kind: 'end', meetingId: 'm-1', body: { version: 1, actor: 'alice' } } as const;

/** Room control's side of the mutual TLS link to the SFU's internal API (issue 13 §2). */
describe('HttpSfuControl over mutual TLS against a real SFU', () => {
  let dir: string;
  let ca: CertificateAuthority;
  let sfu: SfuFixture;
  let tokenFile: string;
  const log = createLogger('rooms-test', { level: 'error' });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conclave-rooms-mtls-'));
    ca = await CertificateAuthority.init(join(dir, 'pki'), { passphrase: PASSPHRASE });
    sfu = await startSfu({}, { internalCa: ca });
    tokenFile = join(sfu.dir, 'internal-api.token');
  });
  after(async () => {
    await sfu.close();
    await rm(dir, { recursive: true, force: true });
  });

  const control = (tls: { certFile: string; keyFile: string; trustFile: string }) =>
    new HttpSfuControl(
      { internalUrl: sfu.server.internalUrl, apiTokenFile: tokenFile, tls, timeoutMs: 2000 },
      log,
    );

  test('apply() with room control’s certificate reaches the SFU and returns its reply', async () => {
    assert.deepEqual(await control(sfu.internalClient!).apply(END), { ok: true, live: false });
  });

  test('apply() refuses an internal listener whose certificate is not from the appliance CA, with media_unavailable', async () => {
    // An impostor SFU: room control trusts only its own root, so a look-alike with another CA's root is refused.
    const other = await CertificateAuthority.init(join(dir, 'other-pki'), { passphrase: PASSPHRASE });
    const impostorTrust = { ...sfu.internalClient!, trustFile: pkiPaths(other.dir).rootCert };
    await assert.rejects(
      control(impostorTrust).apply(END),
      (error: unknown) => error instanceof UnavailableError && error.code === 'media_unavailable',
    );
  });

  test('apply() with another service’s certificate is refused by the SFU, with media_unavailable', async () => {
    const web = await ca.issue('web', { dns: ['localhost'] });
    await assert.rejects(
      control({ ...web, trustFile: pkiPaths(ca.dir).rootCert }).apply(END),
      (error: unknown) => error instanceof UnavailableError && error.code === 'media_unavailable',
    );
  });
});
