import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCoturn, type CoturnRuntime } from '@conclave/testing';

const ROOT = join(__dirname, '../..');
const CONCLAVE = join(ROOT, 'cli/bin/conclave');

function conclave(...args: string[]) {
  return spawnSync(CONCLAVE, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

function writeConfig(secretMode = 0o600) {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-turn-cli-'));
  const secrets = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
  secrets.forEach((secret, i) =>
    writeFileSync(join(dir, `secret-${i}`), `${secret}\n`, { mode: secretMode }),
  );
  const file = join(dir, 'turn.yaml');
  writeFileSync(
    file,
    [
      'realm: turn.example.org',
      'secretFiles: [secret-0, secret-1]',
      'tls: { certFile: turn.crt, keyFile: turn.key }',
      'allowedPeers: [10.20.0.5, "2001:db8:5::10"]',
      'quotas: { perUser: 6, total: 500 }',
      '',
    ].join('\n'),
  );
  return { dir, file, secrets };
}

test('conclave turn config prints turnserver.conf with both secrets, the deny list and the SFU allowed', () => {
  const { dir, file, secrets } = writeConfig();
  const result = conclave('turn', 'config', '--config', file);
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.split('\n');
  for (const line of [
    'use-auth-secret',
    `static-auth-secret=${secrets[0]}`,
    `static-auth-secret=${secrets[1]}`,
    'realm=turn.example.org',
    `cert=${join(dir, 'turn.crt')}`,
    'user-quota=6',
    'total-quota=500',
    'allowed-peer-ip=10.20.0.5',
    'allowed-peer-ip=2001:db8:5::10',
    'denied-peer-ip=10.0.0.0-10.255.255.255',
    'denied-peer-ip=169.254.0.0-169.254.255.255',
  ])
    assert.ok(lines.includes(line), line);
});

test('conclave turn config --out writes the file with mode 0600', () => {
  const { dir, file } = writeConfig();
  const out = join(dir, 'turnserver.conf');
  const result = conclave('turn', 'config', '--config', file, '--out', out);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.match(readFileSync(out, 'utf8'), /^use-auth-secret$/m);
});

test('conclave turn config refuses a bad allowed peer and a missing file, printing nothing (exit 1)', () => {
  const { file } = writeConfig();
  writeFileSync(file, readFileSync(file, 'utf8').replace('10.20.0.5', '10.20.0.0/40'));
  const result = conclave('turn', 'config', '--config', file);
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /allowedPeers\.0: an IP address or CIDR block/);
  const second = conclave('turn', 'config', '--config', file.replace('turn.yaml', 'missing.yaml'));
  assert.equal(second.status, 1);
  assert.match(second.stderr, /cannot read the file/);
});

test('conclave turn config refuses secret files readable by others, naming each (exit 1)', () => {
  const { file } = writeConfig(0o644);
  const result = conclave('turn', 'config', '--config', file);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /secretFiles\.0: .* is readable by others/);
  assert.match(result.stderr, /secretFiles\.1: .* is readable by others/);
});

test('conclave turn without config, or without --config, is a usage error (exit 2)', () => {
  assert.equal(conclave('turn').status, 2);
  assert.equal(conclave('turn', 'config').status, 2);
});

test('conclave edge config prints the nginx stream configuration routing both names; a bad name exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-edge-cli-'));
  const file = join(dir, 'edge.yaml');
  writeFileSync(
    file,
    [
      'web: { serverName: meet.example.org, upstream: { host: 127.0.0.1, port: 8443 } }',
      'turn: { serverName: turn.example.org, upstream: { host: 127.0.0.1, port: 5349 } }',
      '',
    ].join('\n'),
  );
  const result = conclave('edge', 'config', '--config', file);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^\s+ssl_preread on;$/m);
  assert.match(result.stdout, /^\s+turn\.example\.org 127\.0\.0\.1:5349;$/m);
  writeFileSync(file, readFileSync(file, 'utf8').replace('meet.example.org', 'meet.example.org;'));
  const bad = conclave('edge', 'config', '--config', file);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /web\.serverName: a lower-case DNS name/);
});

/** turn.yaml for the fixture's ports and paths, with the given secret files. */
function yamlFor(runtime: CoturnRuntime, secretFiles: string[]): string {
  return [
    'realm: turn.conclave.test',
    `listen: { addresses: [127.0.0.1], port: ${runtime.port}, tlsPort: ${runtime.tlsPort} }`,
    'relay: { addresses: [127.0.0.1] }',
    `tls: { certFile: ${runtime.tls!.certFile}, keyFile: ${runtime.tls!.keyFile} }`,
    `secretFiles: [${secretFiles.join(', ')}]`,
    'allowedPeers: [127.0.0.1]',
    'allowLoopbackPeers: true',
    `pidFile: ${runtime.pidFile}`,
    `logFile: ${runtime.logFile}`,
    `databaseFile: ${runtime.databaseFile}`,
    '',
  ].join('\n');
}

test('conclave turn check against coturn run with the file conclave turn config wrote passes; a secret the relay lacks fails (exit 1)', async () => {
  let yaml = '';
  let secretFiles: string[] = [];
  const turn = await startCoturn({
    tls: true,
    render: (runtime) => {
      secretFiles = [0, 1].map((i) => {
        const path = join(runtime.dir, `secret-${i}`);
        writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600 });
        return path;
      });
      yaml = join(runtime.dir, 'turn.yaml');
      writeFileSync(yaml, yamlFor(runtime, secretFiles));
      const generated = conclave('turn', 'config', '--config', yaml);
      assert.equal(generated.status, 0, generated.stderr);
      return generated.stdout;
    },
  });
  try {
    const ok = conclave('turn', 'check', '--config', yaml, '--ca', turn.tls!.certFile);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    for (const line of [
      '✔ allocate over UDP with secret 1 of 2: granted',
      '✔ allocate over UDP with secret 2 of 2: granted',
      '✔ permission towards 169.254.169.254 refused: 403 Forbidden IP',
      '✔ permission towards 10.0.0.1 refused: 403 Forbidden IP',
      '✔ permission towards the SFU 127.0.0.1 granted: granted',
      `✔ allocate over TLS (turn.conclave.test:${turn.tlsPort}): granted`,
    ])
      assert.ok(ok.stdout.split('\n').includes(line), `${line}\n${ok.stdout}`);

    const unknown = join(turn.dir, 'secret-unknown');
    writeFileSync(unknown, randomBytes(32).toString('base64url'), { mode: 0o600 });
    writeFileSync(yaml, yamlFor(turn, [...secretFiles, unknown]));
    const bad = conclave('turn', 'check', '--config', yaml, '--ca', turn.tls!.certFile);
    assert.equal(bad.status, 1, bad.stdout);
    assert.match(bad.stdout, /^✖ allocate over UDP with secret 3 of 3: 401 /m);
  } finally {
    await turn.stop();
  }
});
