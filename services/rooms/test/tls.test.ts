import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request } from 'node:https';
import { CertificateAuthority, mutualTlsClientOptions, pkiPaths } from '@conclave/server-kit';
import { handshakeMatrixFailures } from '@conclave/testing';
import { startRooms, type RoomsFixture } from './support/rooms-fixture';

let rooms: RoomsFixture;
let ca: CertificateAuthority;

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-rooms-tls-'));
  ca = await CertificateAuthority.init(join(dir, 'pki'), {
    passphrase: 'a test passphrase, not a secret',
  });
  const files = await ca.issue('rooms', { dns: ['localhost'], ip: ['127.0.0.1'] });
  rooms = await startRooms({
    config: {
      http: { host: '127.0.0.1', port: 0, ...files },
      internal: { host: '127.0.0.1', port: 0, tls: { ...files, clientCaFile: pkiPaths(ca.dir).rootCert } },
    },
  });
});

after(async () => {
  await rooms.close();
});

test('the rooms REST listener with TLS refuses TLS 1.0/1.1, CBC suites and secp521r1, and accepts TLS 1.3, AES-GCM, ChaCha20 and X25519 (openssl s_client)', async () => {
  assert.match(rooms.url, /^https:/);
  assert.deepEqual(await handshakeMatrixFailures('127.0.0.1', Number(new URL(rooms.url).port)), []);
});

/** GET /metrics on the internal listener presenting `client`'s certificate, or none. */
function metrics(client?: { certFile: string; keyFile: string }): Promise<number> {
  const tls =
    client !== undefined
      ? mutualTlsClientOptions({ ...client, trustFile: pkiPaths(ca.dir).rootCert })
      : { ca: ca.rootCertificate.toString('pem') };
  return new Promise((resolve, reject) => {
    const req = request(`${rooms.server.internalUrl}/metrics`, { agent: false, ...tls }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

test('the rooms internal listener with internal.tls serves /metrics to an appliance service certificate and refuses a caller without one', async () => {
  assert.match(rooms.server.internalUrl, /^https:/);
  assert.equal(await metrics(await ca.issue('prometheus')), 200);
  await assert.rejects(metrics(), /alert certificate required/);
});
