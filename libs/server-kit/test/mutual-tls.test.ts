import assert from 'node:assert/strict';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import {
  CertificateAuthority,
  ConclaveError,
  mutualTlsClientOptions,
  pkiPaths,
  ReloadableTls,
  requireCallerService,
} from '@conclave/server-kit';

const PASSPHRASE = 'a test passphrase, not a secret';
let dir: string;
let ca: CertificateAuthority;
let tls: ReloadableTls;
let server: Server;
let port: number;

/** An internal API that only room control may call, over mutual TLS with the appliance CA. */
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conclave-mtls-'));
  ca = await CertificateAuthority.init(join(dir, 'pki'), { passphrase: PASSPHRASE });
  const files = await ca.issue('sfu', { dns: ['localhost'], ip: ['127.0.0.1'] });
  tls = new ReloadableTls({ ...files, clientCaFile: pkiPaths(ca.dir).rootCert });
  server = createServer(tls.secureContextOptions, (req, res) => {
    try {
      const caller = requireCallerService(req.socket as TLSSocket, {
        allowed: ['rooms'],
        issuerFile: pkiPaths(ca.dir).intermediateCert,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ caller }));
    } catch (error) {
      const status = error instanceof ConclaveError ? error.httpStatus : 500;
      const code = error instanceof ConclaveError ? error.code : 'internal_error';
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code }));
    }
  });
  tls.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Calls the internal API presenting `client` (a service's certificate and key) or no certificate. */
function call(client?: { certFile: string; keyFile: string }): Promise<{ status: number; body: unknown }> {
  const options = client
    ? mutualTlsClientOptions({ ...client, trustFile: pkiPaths(ca.dir).rootCert })
    : { ca: ca.rootCertificate.toString('pem') };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/internal', servername: 'localhost', agent: false, ...options },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
      },
    );
    req.once('error', reject);
    req.end();
  });
}

/** The callee's TLS stack drops a client whose certificate does not verify, before any HTTP. */
const droppedAtHandshake = { code: 'ECONNRESET' };

test('an internal API call with the allowed service certificate is accepted and names its caller', async () => {
  const rooms = await ca.issue('rooms');
  assert.deepEqual(await call(rooms), { status: 200, body: { caller: 'rooms' } });
});

test('an internal API call without a client certificate is refused at the handshake', async () => {
  await assert.rejects(call(), /alert certificate required/);
});

test('an internal API call with the certificate of another service is refused with 403 forbidden', async () => {
  const web = await ca.issue('web', { dns: ['localhost'] });
  assert.deepEqual(await call(web), { status: 403, body: { code: 'forbidden' } });
});

test('an internal API call with a certificate from another CA naming the right service is refused', async () => {
  const other = await CertificateAuthority.init(join(dir, 'other-pki'), { passphrase: PASSPHRASE });
  await assert.rejects(call(await other.issue('rooms')), droppedAtHandshake);
  assert.equal((await call(await ca.issue('rooms'))).status, 200, 'the same call with our CA passes');
});

test('an internal API call with an expired certificate of the right service is refused', async () => {
  const expired = await ca.issue('rooms-expired', { days: 90, now: new Date(Date.now() - 100 * 86_400_000) });
  await assert.rejects(call(expired), droppedAtHandshake);
  assert.equal(
    (await call(await ca.issue('rooms-expired'))).status,
    403,
    'a valid one gets to the SAN check',
  );
});

test('after the intermediate is renewed, a certificate of the right service under the old intermediate is refused with 403 forbidden', async () => {
  const rooms = await ca.issue('rooms');
  const kept = { certFile: join(dir, 'old-rooms.crt'), keyFile: join(dir, 'old-rooms.key') };
  await copyFile(rooms.certFile, kept.certFile);
  await copyFile(rooms.keyFile, kept.keyFile);
  assert.equal((await call(kept)).status, 200);

  const rotated = await ca.rotate({ renewIntermediate: true, rootPassphrase: async () => PASSPHRASE });
  assert.ok(rotated.services.includes('rooms'));
  assert.deepEqual(await call(kept), { status: 403, body: { code: 'forbidden' } });
  assert.deepEqual(await call(rooms), { status: 200, body: { caller: 'rooms' } });
});
