import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { CertificateAuthority } from '@conclave/server-kit';
import { handshakeMatrixFailures } from '@conclave/testing';
import { startWebServer, type WebServer } from '../src/static-server';

let web: WebServer;
let ca: CertificateAuthority;
let files: { certFile: string; keyFile: string };
let rootPem: string;

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-web-tls-'));
  ca = await CertificateAuthority.init(join(dir, 'pki'), { passphrase: 'a test passphrase, not a secret' });
  files = await ca.issue('web', { dns: ['localhost'], ip: ['127.0.0.1'] });
  rootPem = ca.rootCertificate.toString('pem');
  const root = join(dir, 'www');
  await mkdir(root);
  await writeFile(join(root, 'index.html'), '<!doctype html><title>conclave</title>');
  web = await startWebServer({
    root,
    host: '127.0.0.1',
    port: 0,
    tls: { ...files, watchIntervalMs: 100 },
    connectOrigins: [],
  });
});

after(async () => {
  await web.close();
});

const port = () => Number(new URL(web.url).port);

function servedCertificate(): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: port(), servername: 'localhost', ca: rootPem }, () => {
      const peer = socket.getPeerX509Certificate();
      socket.end();
      if (peer === undefined) reject(new Error('no peer certificate'));
      else resolve(peer);
    });
    socket.once('error', reject);
  });
}

/** GET / through `agent`; resolves with the status, the HSTS header and the connection used. */
function get(agent: Agent) {
  return new Promise<{ status: number; hsts: string | undefined; reused: boolean; socket: TLSSocket }>(
    (resolve, reject) => {
      const req = request(`${web.url}/`, { agent, ca: rootPem, servername: 'localhost' }, (res) => {
        const socket = res.socket as TLSSocket;
        res.resume();
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            hsts: res.headers['strict-transport-security'],
            reused: req.reusedSocket,
            socket,
          }),
        );
      });
      req.once('error', reject);
      req.end();
    },
  );
}

test('the web server refuses TLS 1.0/1.1, CBC suites and secp521r1, and accepts TLS 1.3, AES-GCM, ChaCha20 and X25519 (openssl s_client)', async () => {
  assert.deepEqual(await handshakeMatrixFailures('127.0.0.1', port()), []);
});

test('the web server rotated on disk: its file watch serves the new certificate to new connections while an open keep-alive connection keeps working', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const first = await get(agent);
  assert.equal(first.status, 200);
  assert.equal(first.hsts, 'max-age=31536000');
  const old = new X509Certificate(await readFile(files.certFile));
  assert.equal(first.socket.getPeerX509Certificate()?.fingerprint256, old.fingerprint256);

  await ca.rotate({ withinDays: 90 });
  const fresh = new X509Certificate(await readFile(files.certFile));
  const deadline = Date.now() + 10_000;
  while ((await servedCertificate()).fingerprint256 !== fresh.fingerprint256) {
    assert.ok(Date.now() < deadline, 'the watch reloaded the certificate within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const again = await get(agent);
  assert.equal(again.status, 200);
  assert.equal(again.reused, true);
  assert.equal(again.socket, first.socket, 'the connection opened under the old certificate');
  agent.destroy();
});
