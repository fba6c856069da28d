import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CertificateAuthority } from '@conclave/server-kit';
import { startAuthFixture, type AuthFixture } from '../../auth/test/support/auth-fixture';
import { startWebServer, type WebServer } from '../src/static-server';

const JWKS_PATH = '/api/auth/.well-known/jwks.json';
let dir: string;
let rootPem: string;
let auth: AuthFixture;
const servers: WebServer[] = [];

/** The auth service on HTTPS with an appliance-CA certificate, behind the web server's reverse proxy. */
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conclave-web-proxy-tls-'));
  const ca = await CertificateAuthority.init(join(dir, 'pki'), {
    passphrase: 'a test passphrase, not a secret',
  });
  rootPem = ca.rootCertificate.toString('pem');
  const files = await ca.issue('auth', { dns: ['localhost'], ip: ['127.0.0.1'] });
  auth = await startAuthFixture({ tls: { ...files, trust: rootPem } });
});

after(async () => {
  for (const server of servers) await server.close();
  await auth.close();
  await rm(dir, { recursive: true, force: true });
});

/** A web server (its own certificate) proxying /api/auth, trusting `ca` for its upstreams when given. */
async function web(ca: Buffer | undefined): Promise<WebServer & { rootPem: string }> {
  const ca2 = await CertificateAuthority.init(join(dir, `web-pki-${servers.length}`), {
    passphrase: 'a test passphrase, not a secret',
  });
  const root = join(dir, `www-${servers.length}`);
  await mkdir(root);
  await writeFile(join(root, 'index.html'), '<!doctype html><title>conclave</title>');
  const server = await startWebServer({
    root,
    host: '127.0.0.1',
    port: 0,
    tls: await ca2.issue('web', { dns: ['localhost'], ip: ['127.0.0.1'] }),
    connectOrigins: [],
    proxy: { auth: new URL(auth.url).origin, ...(ca !== undefined ? { ca } : {}) },
  });
  servers.push(server);
  return Object.assign(server, { rootPem: ca2.rootCertificate.toString('pem') });
}

function get(
  server: WebServer & { rootPem?: string },
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url.replace(/\/$/, '')}${path}`,
      { ca: server.rootPem, agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.once('error', reject);
    req.end();
  });
}

test('the reverse proxy trusting the appliance root forwards /api/auth to the auth service over HTTPS', async () => {
  assert.match(auth.url, /^https:/);
  const reply = await get(await web(Buffer.from(rootPem)), JWKS_PATH);
  assert.equal(reply.status, 200);
  assert.ok((JSON.parse(reply.body) as { keys: unknown[] }).keys.length > 0);
});

test('the reverse proxy without the appliance root refuses the auth service’s certificate with 502 service_unavailable', async () => {
  const reply = await get(await web(undefined), JWKS_PATH);
  assert.equal(reply.status, 502);
  assert.equal((JSON.parse(reply.body) as { code: string }).code, 'service_unavailable');
});
