import { createPrivateKey } from 'node:crypto';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { CliError } from '../src/command';
import { prepareDataDir, validateConfigs } from '../src/embedded-defaults';

/** A parsed YAML configuration file, walked loosely by the tests below. */
type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('prepareDataDir writes the configuration once and keeps an operator edit on the next start', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'conclave-start-'));
  const first = await prepareDataDir(dataDir, '127.0.0.1');
  assert.deepEqual([...first.written].sort(), Object.values(first.files).sort());
  const edited = readFileSync(first.files.rooms, 'utf8') + '# kept by the operator\n';
  writeFileSync(first.files.rooms, edited);

  const second = await prepareDataDir(dataDir, '127.0.0.1');
  assert.deepEqual(second.written, []);
  assert.equal(readFileSync(second.files.rooms, 'utf8'), edited);
});

test('validateConfigs accepts the embedded defaults and refuses an edited mistake with exit code 2', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'conclave-start-'));
  const { files } = await prepareDataDir(dataDir, '127.0.0.1');
  await validateConfigs(files);

  writeFileSync(files.sfu, readFileSync(files.sfu, 'utf8').replace('port: 4443', 'port: 99999'));
  await assert.rejects(validateConfigs(files), (error: unknown) => {
    assert.ok(error instanceof CliError);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /sfu\.yaml/);
    assert.match(error.message, /signalling\.port/);
    assert.doesNotMatch(error.message, /rooms\.yaml/, 'only the broken file is named');
    return true;
  });
});

test('prepareDataDir creates the appliance CA on first run: SFU, web, auth and rooms certificates chain to its root, the configuration points at them, a second run keeps them', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'conclave-start-'));
  const first = await prepareDataDir(dataDir, '127.0.0.1');
  const pki = join(dataDir, 'pki');
  assert.equal(first.trust.certFile, join(pki, 'root-ca.crt'));
  assert.match(first.trust.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  for (const service of ['sfu', 'web', 'auth', 'rooms'] as const) {
    const certFile = join(pki, 'services', `${service}.crt`);
    const verify = spawnSync(
      'openssl',
      ['verify', '-CAfile', first.trust.certFile, '-untrusted', join(pki, 'intermediate-ca.crt'), certFile],
      { encoding: 'utf8' },
    );
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.equal(statSync(join(pki, 'services', `${service}.key`)).mode & 0o777, 0o600);
    const config = readFileSync(first.files[service], 'utf8');
    assert.ok(config.includes(`certFile: ${certFile}`), config);
  }
  // PKCS#8 EncryptedPrivateKeyInfo: unreadable without its passphrase.
  assert.throws(() => createPrivateKey(readFileSync(join(pki, 'root-ca.key'), 'utf8')));
  assert.equal(statSync(join(dataDir, 'secrets', 'root-ca.passphrase')).mode & 0o777, 0o600);

  const before = readFileSync(join(pki, 'services', 'sfu.crt'), 'utf8');
  const second = await prepareDataDir(dataDir, '127.0.0.1');
  assert.equal(second.trust.fingerprint, first.trust.fingerprint);
  assert.equal(readFileSync(join(pki, 'services', 'sfu.crt'), 'utf8'), before);
});

test('prepareDataDir configures every service with TLS: auth and rooms on HTTPS, the SFU internal API over mutual TLS with room control, the web proxy trusting the root', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'conclave-start-'));
  const { files, trust } = await prepareDataDir(dataDir, '127.0.0.1');
  const pki = join(dataDir, 'pki', 'services');
  const yaml = (file: string) => parse(readFileSync(file, 'utf8')) as Config;
  const [sfu, web, auth, rooms] = [yaml(files.sfu), yaml(files.web), yaml(files.auth), yaml(files.rooms)];
  assert.deepEqual(sfu.internal.tls, {
    certFile: join(pki, 'sfu.crt'),
    keyFile: join(pki, 'sfu.key'),
    clientCaFile: trust.certFile,
    issuerFile: join(dataDir, 'pki', 'intermediate-ca.crt'),
  });
  assert.match(rooms.sfu.internalUrl, /^https:/);
  assert.deepEqual(rooms.sfu.tls, {
    certFile: join(pki, 'rooms.crt'),
    keyFile: join(pki, 'rooms.key'),
    trustFile: trust.certFile,
  });
  assert.equal(rooms.http.certFile, join(pki, 'rooms.crt'));
  assert.equal(rooms.internal.tls.clientCaFile, trust.certFile);
  assert.equal(auth.http.certFile, join(pki, 'auth.crt'));
  assert.equal(auth.internal.tls.clientCaFile, trust.certFile);
  assert.deepEqual(
    [web.proxy.auth, web.proxy.rooms, web.proxy.caFile],
    ['https://127.0.0.1:8081', 'https://127.0.0.1:8444', trust.certFile],
  );
  await validateConfigs(files);
});

test('prepareDataDir keeps the plain-HTTP configuration of a data directory from before TLS, which still validates, and adds the auth and rooms certificates', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'conclave-start-'));
  const { files } = await prepareDataDir(dataDir, '127.0.0.1');
  // The files as the version before mutual TLS wrote them: no TLS on auth, rooms or the SFU internal listener.
  const rewrite = (file: string, edit: (config: Config) => void) => {
    const config = parse(readFileSync(file, 'utf8')) as Config;
    edit(config);
    writeFileSync(file, stringify(config));
  };
  rewrite(files.sfu, (c) => delete c.internal.tls);
  rewrite(files.auth, (c) => {
    delete c.http.certFile;
    delete c.http.keyFile;
    delete c.internal.tls;
  });
  rewrite(files.rooms, (c) => {
    delete c.http.certFile;
    delete c.http.keyFile;
    delete c.sfu.tls;
    delete c.internal.tls;
    c.sfu.internalUrl = 'http://127.0.0.1:9464';
  });
  rewrite(files.web, (c) => {
    c.proxy = {
      auth: 'http://127.0.0.1:8081',
      rooms: 'http://127.0.0.1:8444',
      signalling: c.proxy.signalling,
      signallingCaFile: c.proxy.caFile,
    };
  });
  const old = Object.fromEntries(
    Object.entries(files).map(([name, file]) => [name, readFileSync(file, 'utf8')]),
  );
  for (const service of ['auth', 'rooms'])
    for (const ext of ['crt', 'key']) rmSync(join(dataDir, 'pki', 'services', `${service}.${ext}`));

  const again = await prepareDataDir(dataDir, '127.0.0.1');
  assert.deepEqual(again.written, []);
  for (const [name, file] of Object.entries(again.files)) assert.equal(readFileSync(file, 'utf8'), old[name]);
  for (const service of ['auth', 'rooms'])
    assert.equal(statSync(join(dataDir, 'pki', 'services', `${service}.key`)).mode & 0o777, 0o600);
  await validateConfigs(again.files);
});
