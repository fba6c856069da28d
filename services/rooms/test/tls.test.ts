import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CertificateAuthority } from '@conclave/server-kit';
import { handshakeMatrixFailures } from '@conclave/testing';
import { startRooms, type RoomsFixture } from './support/rooms-fixture';

let rooms: RoomsFixture;

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-rooms-tls-'));
  const ca = await CertificateAuthority.init(join(dir, 'pki'), {
    passphrase: 'a test passphrase, not a secret',
  });
  const files = await ca.issue('rooms', { dns: ['localhost'], ip: ['127.0.0.1'] });
  rooms = await startRooms({ config: { http: { host: '127.0.0.1', port: 0, ...files } } });
});

after(async () => {
  await rooms.close();
});

test('the rooms REST listener with TLS refuses TLS 1.0/1.1, CBC suites and secp521r1, and accepts TLS 1.3, AES-GCM, ChaCha20 and X25519 (openssl s_client)', async () => {
  assert.match(rooms.url, /^https:/);
  assert.deepEqual(await handshakeMatrixFailures('127.0.0.1', Number(new URL(rooms.url).port)), []);
});
