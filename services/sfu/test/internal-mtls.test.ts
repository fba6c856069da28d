import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CertificateAuthority, mutualTlsClientOptions, pkiPaths } from '@conclave/server-kit';
import { handshakeMatrixFailures } from '@conclave/testing';
import { mutualTlsCall, startSfu, type SfuFixture } from './support/sfu-fixture';

const PASSPHRASE = 'a test passphrase, not a secret';
const ROOMS_PATH = '/internal/v1/rooms';

/** The SFU's internal listener under mutual TLS (issue 13 §2): only room control may use the internal API. */
describe('the SFU internal API over mutual TLS', () => {
  let dir: string;
  let ca: CertificateAuthority;
  let sfu: SfuFixture;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conclave-sfu-mtls-'));
    ca = await CertificateAuthority.init(join(dir, 'pki'), { passphrase: PASSPHRASE });
    sfu = await startSfu({}, { internalCa: ca });
  });
  after(async () => {
    await sfu.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Calls the internal listener presenting `client` (or no certificate), with or without the bearer token. */
  const call = (
    method: string,
    path: string,
    client: { certFile: string; keyFile: string } | undefined,
    options: { token?: boolean; body?: unknown } = {},
  ) =>
    mutualTlsCall(`${sfu.server.internalUrl}${path}`, method, {
      tls:
        client !== undefined
          ? mutualTlsClientOptions({ ...client, trustFile: pkiPaths(ca.dir).rootCert })
          : { ca: ca.rootCertificate.toString('pem') },
      headers: {
        'content-type': 'application/json',
        ...(options.token !== false ? { authorization: `Bearer ${sfu.apiToken}` } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });

  const participantsOf = async (roomId: string): Promise<string[]> => {
    const { body } = await sfu.internal('GET', ROOMS_PATH);
    const room = (
      body as { rooms: { roomId: string; participants: { participantId: string }[] }[] }
    ).rooms.find((r) => r.roomId === roomId);
    return room?.participants.map((p) => p.participantId) ?? [];
  };

  test('the internal listener serves HTTPS only: a plain HTTP request gets no answer', async () => {
    assert.match(sfu.server.internalUrl, /^https:\/\//);
    const plain = sfu.server.internalUrl.replace(/^https:/, 'http:');
    await assert.rejects(
      fetch(`${plain}${ROOMS_PATH}`, { headers: { authorization: `Bearer ${sfu.apiToken}` } }),
    );
  });

  test('an internal API call with room control’s certificate and the bearer token is answered 200', async () => {
    const reply = await call('GET', ROOMS_PATH, sfu.internalClient);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { rooms: [] });
  });

  test('an internal API call without a client certificate is refused at the handshake', async () => {
    await assert.rejects(call('GET', ROOMS_PATH, undefined), /alert certificate required/);
  });

  test('an internal API call with the web server’s certificate is refused with 403 forbidden and changes nothing', async () => {
    const { client } = await sfu.join({ user: 'carol', room: 'm-mtls', participant: 'carol-1' });
    try {
      const web = await ca.issue('web', { dns: ['localhost'] });
      const removal = await call('POST', `${ROOMS_PATH}/m-mtls/participants/carol-1/remove`, web, {
        body: { userId: 'carol', bar: true, version: 1, actor: 'mallory' },
      });
      assert.deepEqual([removal.status, (removal.body as { code: string }).code], [403, 'forbidden']);
      const ended = await call('POST', `${ROOMS_PATH}/m-mtls/end`, web, {
        body: { version: 2, actor: 'mallory' },
      });
      assert.deepEqual([ended.status, (ended.body as { code: string }).code], [403, 'forbidden']);
      assert.deepEqual(await participantsOf('m-mtls'), ['carol-1'], 'carol is still in the room');
    } finally {
      client.close();
    }
  });

  test('an internal API call with an expired room-control certificate is refused at the handshake', async () => {
    await ca.issue('rooms', { days: 90, now: new Date(Date.now() - 100 * 86_400_000) });
    const expired = { certFile: join(dir, 'expired-rooms.crt'), keyFile: join(dir, 'expired-rooms.key') };
    await copyFile(pkiPaths(ca.dir).serviceCert('rooms'), expired.certFile);
    await copyFile(pkiPaths(ca.dir).serviceKey('rooms'), expired.keyFile);
    await ca.issue('rooms');
    await assert.rejects(call('GET', ROOMS_PATH, expired), { code: 'ECONNRESET' });
    assert.equal((await call('GET', ROOMS_PATH, sfu.internalClient)).status, 200, 'a current one passes');
  });

  test('an internal API call with a certificate from another CA naming room control is refused at the handshake', async () => {
    const other = await CertificateAuthority.init(join(dir, 'other-pki'), { passphrase: PASSPHRASE });
    await assert.rejects(call('GET', ROOMS_PATH, await other.issue('rooms')), { code: 'ECONNRESET' });
  });

  test('an internal API call with room control’s certificate but no bearer token is refused with 401 not_authenticated', async () => {
    const rooms = await ca.issue('rooms', { dns: ['localhost'] });
    const reply = await call('GET', ROOMS_PATH, rooms, { token: false });
    assert.deepEqual([reply.status, (reply.body as { code: string }).code], [401, 'not_authenticated']);
    assert.equal((await call('GET', ROOMS_PATH, rooms)).status, 200, 'the same call with the token passes');
  });

  test('/healthz and /metrics answer a certificate of any appliance service and refuse a caller without one', async () => {
    const prometheus = await ca.issue('prometheus');
    assert.equal((await call('GET', '/healthz', prometheus, { token: false })).status, 200);
    assert.equal((await call('GET', '/metrics', prometheus, { token: false })).status, 200);
    await assert.rejects(call('GET', '/metrics', undefined, { token: false }), /alert certificate required/);
  });

  test('the internal listener refuses TLS 1.0/1.1, CBC suites and secp521r1, and accepts TLS 1.3, AES-GCM, ChaCha20 and X25519 (openssl s_client with a client certificate)', async () => {
    const port = Number(new URL(sfu.server.internalUrl).port);
    assert.deepEqual(await handshakeMatrixFailures('127.0.0.1', port, await ca.issue('prometheus')), []);
  });
});
