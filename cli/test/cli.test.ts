import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSelfSignedCertificate } from '@conclave/server-kit';
import { freePort, TicketSigner } from '@conclave/testing';

const ROOT = join(__dirname, '../..');
const CONCLAVE = join(ROOT, 'cli/bin/conclave');

function conclave(...args: string[]) {
  return spawnSync(CONCLAVE, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

test('conclave doctor reports the pinned Node and a worker linked to Debian libraries, exit 0', () => {
  const result = conclave('doctor');
  assert.equal(result.status, 0, result.stdout + result.stderr);
  const pinned = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim();
  assert.match(result.stdout, new RegExp(`✔ Node.js: v${pinned.replace(/\./g, '\\.')} \\(pinned`));
  assert.match(
    result.stdout,
    /✔ worker linking: dynamically linked to Debian's libssl\.so\.3 .*libsrtp2\.so\.1/,
  );
});

test('conclave without a known command, or serve without a service, is a usage error (exit 2)', () => {
  assert.equal(conclave('frobnicate').status, 2);
  const serve = conclave('serve');
  assert.equal(serve.status, 2);
  assert.match(serve.stderr, /usage: conclave serve <service> --config <file\.yaml>/);
  assert.equal(conclave('serve', 'sfu', '--bogus').status, 2);
});

test('every conclave command answers --help with its usage and exit 0; help of an unknown command exits 2', () => {
  const list = conclave('help');
  assert.equal(list.status, 0, list.stderr);
  const names = [...list.stdout.matchAll(/^ {2}(\S+) {2}/gm)].map((m) => m[1] as string);
  assert.ok(names.includes('audit') && names.includes('user'), list.stdout);
  for (const name of names) {
    const result = conclave(name, '--help');
    assert.equal(result.status, 0, `${name} --help: ${result.stderr}`);
    assert.match(result.stdout, new RegExp(`usage: conclave ${name}\\b`));
  }
  const unknown = conclave('help', 'frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.equal(unknown.stdout, '');
});

test('conclave doctor lists every problem of an invalid configuration and exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-cli-'));
  const file = join(dir, 'sfu.yaml');
  writeFileSync(file, 'signalling:\n  port: 99999\nmedia:\n  workers: 0\nsurprise: true\n');
  const result = conclave('doctor', '--config', file);
  assert.equal(result.status, 1);
  for (const key of ['signalling.port', 'signalling.certFile', 'media.workers', 'surprise', 'tickets']) {
    assert.match(result.stdout, new RegExp(key.replace('.', '\\.')), `${key} is named`);
  }
});

test('conclave serve sfu runs the SFU in the foreground and stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-cli-'));
  const tls = await writeSelfSignedCertificate(dir, { hosts: ['127.0.0.1'] });
  const signer = await TicketSigner.create(dir);
  const internalPort = await freePort();
  const file = join(dir, 'sfu.yaml');
  writeFileSync(
    file,
    [
      'signalling:',
      '  host: 127.0.0.1',
      `  port: ${await freePort()}`,
      `  certFile: ${tls.certFile}`,
      `  keyFile: ${tls.keyFile}`,
      'internal:',
      `  port: ${internalPort}`,
      'tickets:',
      `  jwksFile: ${signer.jwksFile}`,
      'media:',
      '  workers: 1',
      '  listenIp: 127.0.0.1',
      '  port: 0',
      '',
    ].join('\n'),
  );
  const child = spawn(CONCLAVE, ['serve', 'sfu', '--config', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  let health: unknown;
  while (Date.now() < deadline) {
    health = await fetch(`http://127.0.0.1:${internalPort}/healthz`).then(
      (r) => r.json(),
      () => undefined,
    );
    if (health !== undefined) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.deepEqual(health, { status: 'ok', workers: 1 }, output);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  assert.match(output, /SFU stopped/);
});
