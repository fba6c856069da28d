import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from 'node:tls';
import WebSocket from 'ws';
import { SignallingClient, type WebSocketLike } from '@conclave/client';
import { CertificateAuthority } from '@conclave/server-kit';
import { handshakeMatrixFailures } from '@conclave/testing';
import { startSfu, type SfuFixture } from './support/sfu-fixture';

let sfu: SfuFixture;
let ca: CertificateAuthority;
let files: { certFile: string; keyFile: string };
let rootPem: string;
const logLines: string[] = [];

/** Sends SIGHUP to this process (where the SFU runs) and waits for the listener's reload log line. */
async function sighup(outcome: 'TLS certificate reloaded' | 'TLS certificate not reloaded'): Promise<void> {
  const seen = logLines.filter((line) => line.includes(outcome)).length;
  process.kill(process.pid, 'SIGHUP');
  const deadline = Date.now() + 10_000;
  while (logLines.filter((line) => line.includes(outcome)).length === seen) {
    if (Date.now() > deadline) throw new Error(`no '${outcome}' log line after SIGHUP`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-sfu-tls-'));
  ca = await CertificateAuthority.init(join(dir, 'pki'), { passphrase: 'a test passphrase, not a secret' });
  files = await ca.issue('sfu', { dns: ['localhost'], ip: ['127.0.0.1'] });
  rootPem = ca.rootCertificate.toString('pem');
  sfu = await startSfu({ signalling: files }, { logLines });
});

after(async () => {
  await sfu.close();
});

/** The leaf certificate a new TLS connection to the signalling listener is served. */
function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: rootPem }, () => {
      const peer = socket.getPeerX509Certificate();
      socket.end();
      if (peer === undefined) reject(new Error('no peer certificate'));
      else resolve(peer);
    });
    socket.once('error', reject);
  });
}

const leafOf = async (certFile: string) => new X509Certificate(await readFile(certFile));

test('the SFU signalling listener refuses TLS 1.0/1.1, CBC suites and secp521r1, and accepts TLS 1.3, AES-GCM, ChaCha20 and X25519 (openssl s_client)', async () => {
  const port = Number(new URL(sfu.server.signallingUrl).port);
  const failures = await handshakeMatrixFailures('127.0.0.1', port);
  assert.deepEqual(failures, []);
});

test('SIGHUP after the certificate is rotated on disk: a new connection gets the new certificate and an open signalling session keeps working', async () => {
  const port = Number(new URL(sfu.server.signallingUrl).port);
  const socket = new WebSocket(sfu.server.signallingUrl, { ca: rootPem });
  const client = await SignallingClient.connect(socket as unknown as WebSocketLike);
  await client.hello(await sfu.signer.sign({ user: 'alice', room: 'rotation' }));
  const old = await leafOf(files.certFile);
  assert.equal((await servedCertificate(port)).fingerprint256, old.fingerprint256);

  const rotated = await ca.rotate({ withinDays: 90 });
  assert.deepEqual(rotated.services, ['sfu']);
  const fresh = await leafOf(files.certFile);
  assert.notEqual(fresh.fingerprint256, old.fingerprint256);
  await sighup('TLS certificate reloaded');
  assert.equal((await servedCertificate(port)).fingerprint256, fresh.fingerprint256);

  const transport = await client.request('createTransport', { direction: 'send', transport: 'webrtc' });
  assert.equal(transport.transport, 'webrtc');
  assert.ok(transport.transportId.length > 0);
  client.close();
});

test('a reload with a key that does not match the certificate keeps serving the current pair', async () => {
  const port = Number(new URL(sfu.server.signallingUrl).port);
  const before = (await servedCertificate(port)).fingerprint256;
  const goodKey = await readFile(files.keyFile);
  const other = await ca.issue('other', { ip: ['127.0.0.1'] });
  await writeFile(files.keyFile, await readFile(other.keyFile), { mode: 0o600 });
  await sighup('TLS certificate not reloaded');
  assert.equal((await servedCertificate(port)).fingerprint256, before);
  await writeFile(files.keyFile, goodKey, { mode: 0o600 });
});
