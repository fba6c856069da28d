import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliError } from '../src/command';
import { prepareDataDir, validateConfigs } from '../src/embedded-defaults';

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

test('prepareDataDir creates the appliance CA on first run: SFU and web certificates chain to its root, the configuration points at them, a second run keeps them', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'conclave-start-'));
  const first = await prepareDataDir(dataDir, '127.0.0.1');
  const pki = join(dataDir, 'pki');
  assert.equal(first.trust.certFile, join(pki, 'root-ca.crt'));
  assert.match(first.trust.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  for (const service of ['sfu', 'web']) {
    const certFile = join(pki, 'services', `${service}.crt`);
    const verify = spawnSync(
      'openssl',
      ['verify', '-CAfile', first.trust.certFile, '-untrusted', join(pki, 'intermediate-ca.crt'), certFile],
      { encoding: 'utf8' },
    );
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.equal(statSync(join(pki, 'services', `${service}.key`)).mode & 0o777, 0o600);
    const config = readFileSync(first.files[service as 'sfu' | 'web'], 'utf8');
    assert.ok(config.includes(`certFile: ${certFile}`), config);
  }
  assert.match(readFileSync(join(pki, 'root-ca.key'), 'utf8'), /BEGIN ENCRYPTED PRIVATE KEY/);
  assert.equal(statSync(join(dataDir, 'secrets', 'root-ca.passphrase')).mode & 0o777, 0o600);

  const before = readFileSync(join(pki, 'services', 'sfu.crt'), 'utf8');
  const second = await prepareDataDir(dataDir, '127.0.0.1');
  assert.equal(second.trust.fingerprint, first.trust.fingerprint);
  assert.equal(readFileSync(join(pki, 'services', 'sfu.crt'), 'utf8'), before);
});
