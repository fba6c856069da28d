import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AUTH_JWKS_PATH } from '@conclave/protocol';
import { CertificateAuthority, pkiPaths } from '@conclave/server-kit';
import { startAuthFixture, strongPassword, type AuthFixture } from '../../auth/test/support/auth-fixture';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

let dir: string;
let auth: AuthFixture;
let root: string;
const rooms: RoomsFixture[] = [];

/** The real auth service on HTTPS with a certificate from the appliance CA; room control fetches its JWKS. */
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conclave-rooms-jwks-tls-'));
  const ca = await CertificateAuthority.init(join(dir, 'pki'), {
    passphrase: 'a test passphrase, not a secret',
  });
  root = pkiPaths(ca.dir).rootCert;
  const files = await ca.issue('auth', { dns: ['localhost'], ip: ['127.0.0.1'] });
  auth = await startAuthFixture({ tls: { ...files, trust: ca.rootCertificate.toString('pem') } });
  await auth.addUser('alice', strongPassword('alice'));
});

after(async () => {
  for (const fixture of rooms) await fixture.close();
  await auth.close();
  await rm(dir, { recursive: true, force: true });
});

const roomsWith = async (jwksTrustFile?: string) => {
  const fixture = await startRooms({
    sfu: new RecordingSfu(),
    config: {
      auth: {
        jwksUrl: `${auth.url}${AUTH_JWKS_PATH}`,
        ...(jwksTrustFile !== undefined ? { jwksTrustFile } : {}),
      },
    },
  });
  rooms.push(fixture);
  return fixture;
};

const signIn = async () => {
  const reply = await auth.login('alice', strongPassword('alice'));
  assert.equal(reply.status, 200);
  return reply.body.accessToken as string;
};

test('room control with auth.jwksTrustFile fetches the keys over HTTPS from the appliance CA and accepts a token signed with them', async () => {
  assert.match(auth.url, /^https:/);
  const control = await roomsWith(root);
  assert.equal((await control.api('GET', '/meetings', await signIn())).status, 200);
});

test('room control without the appliance root does not trust the auth service’s certificate: tokens are refused with 503', async () => {
  const control = await roomsWith();
  const refused = await control.api('GET', '/meetings', await signIn());
  assert.equal(refused.status, 503, JSON.stringify(refused.body));
});
