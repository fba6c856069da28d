import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CertificateAuthority, mutualTlsClientOptions, pkiPaths } from '@conclave/server-kit';
import { handshakeMatrixFailures } from '@conclave/testing';
import { startAuthFixture, strongPassword, type AuthFixture } from './support/auth-fixture';

let dir: string;
let ca: CertificateAuthority;
let fx: AuthFixture;

/** The auth service with its public API and internal listener on HTTPS, certificates from a real appliance CA. */
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conclave-auth-tls-'));
  ca = await CertificateAuthority.init(join(dir, 'pki'), { passphrase: 'a test passphrase, not a secret' });
  const files = await ca.issue('auth', { dns: ['localhost'], ip: ['127.0.0.1'] });
  const root = pkiPaths(ca.dir).rootCert;
  fx = await startAuthFixture({
    tls: { ...files, trust: ca.rootCertificate.toString('pem') },
    internalTls: { ...files, clientCaFile: root },
  });
});

after(async () => {
  await fx.close();
  await rm(dir, { recursive: true, force: true });
});

/** GET on the internal listener presenting `client`'s certificate, or none. */
function probe(path: string, client?: { certFile: string; keyFile: string }): Promise<number> {
  const tls =
    client !== undefined
      ? mutualTlsClientOptions({ ...client, trustFile: pkiPaths(ca.dir).rootCert })
      : { ca: ca.rootCertificate.toString('pem') };
  return new Promise((resolve, reject) => {
    const req = request(`${fx.service.internalUrl}${path}`, { agent: false, ...tls }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

test('the auth API with TLS refuses TLS 1.0/1.1, CBC suites and secp521r1, and accepts TLS 1.3, AES-GCM, ChaCha20 and X25519 (openssl s_client)', async () => {
  assert.match(fx.url, /^https:/);
  assert.deepEqual(await handshakeMatrixFailures('127.0.0.1', Number(new URL(fx.url).port)), []);
});

test('POST /api/auth/login over HTTPS signs a user in, with HSTS on the reply', async () => {
  await fx.addUser('alice', strongPassword('alice'));
  const reply = await fx.login('alice', strongPassword('alice'));
  assert.equal(reply.status, 200);
  assert.equal(typeof reply.body.accessToken, 'string');
  assert.match(reply.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
});

test('the auth API over HTTPS gives a plain HTTP request no answer', async () => {
  await assert.rejects(fetch(`${fx.url.replace(/^https:/, 'http:')}/api/auth/.well-known/jwks.json`));
});

test('the auth internal listener answers /healthz to an appliance service certificate and refuses a caller without one', async () => {
  assert.match(fx.service.internalUrl, /^https:/);
  assert.equal(await probe('/healthz', await ca.issue('prometheus')), 200);
  await assert.rejects(probe('/healthz'), /alert certificate required/);
});

test('the auth internal listener refuses TLS 1.0/1.1, CBC suites and secp521r1, and accepts TLS 1.3, AES-GCM, ChaCha20 and X25519 (openssl s_client with a client certificate)', async () => {
  const port = Number(new URL(fx.service.internalUrl).port);
  assert.deepEqual(await handshakeMatrixFailures('127.0.0.1', port, await ca.issue('prometheus')), []);
});
