import { createPrivateKey } from 'node:crypto';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '../..');
const CONCLAVE = join(ROOT, 'cli/bin/conclave');
const PASSPHRASE = 'correct horse battery staple';

function conclave(...args: string[]) {
  return spawnSync(CONCLAVE, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

function openssl(...args: string[]) {
  return spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
}

/** A fresh PKI directory initialised through the CLI, with its passphrase file (0600). */
function initialisedPki(): { dir: string; ca: string; passFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-certs-'));
  const passFile = join(dir, 'passphrase');
  writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
  const ca = join(dir, 'pki');
  const init = conclave('certs', 'init', '--dir', ca, '--passphrase-file', passFile);
  assert.equal(init.status, 0, init.stdout + init.stderr);
  return { dir, ca, passFile };
}

function verifyChain(ca: string, certFile: string) {
  return openssl(
    'verify',
    '-CAfile',
    join(ca, 'root-ca.crt'),
    '-untrusted',
    join(ca, 'intermediate-ca.crt'),
    '-purpose',
    'sslserver',
    certFile,
  );
}

const mode = (file: string) => statSync(file).mode & 0o777;

test('certs init + issue: the service chain verifies with openssl against the root, keys are 0600 and the root key is encrypted', () => {
  const { dir, ca, passFile } = initialisedPki();
  const issue = conclave(
    'certs',
    'issue',
    'sfu',
    '--dir',
    ca,
    '--dns',
    'sfu.conclave.test',
    '--ip',
    '127.0.0.1',
  );
  assert.equal(issue.status, 0, issue.stderr);
  const cert = join(ca, 'services/sfu.crt');
  const verified = verifyChain(ca, cert);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /sfu\.crt: OK/);
  const client = openssl(
    'verify',
    '-CAfile',
    join(ca, 'root-ca.crt'),
    '-untrusted',
    join(ca, 'intermediate-ca.crt'),
    '-purpose',
    'sslclient',
    cert,
  );
  assert.equal(client.status, 0, client.stderr);

  const text = openssl('x509', '-in', cert, '-noout', '-text').stdout;
  assert.match(text, /DNS:sfu\.conclave\.test, IP Address:127\.0\.0\.1, URI:urn:conclave:service:sfu/);
  assert.match(text, /ASN1 OID: prime256v1/);
  const days = (Date.parse(text.match(/Not After : (.+)/)![1]!) - Date.now()) / 86_400_000;
  assert.ok(days > 89 && days <= 90, `90 days by default, got ${days}`);
  assert.match(
    openssl('x509', '-in', join(ca, 'root-ca.crt'), '-noout', '-text').stdout,
    /ASN1 OID: secp384r1/,
  );

  for (const key of ['root-ca.key', 'intermediate-ca.key', 'services/sfu.key'])
    assert.equal(mode(join(ca, key)), 0o600, key);
  const rootKey = readFileSync(join(ca, 'root-ca.key'), 'utf8');
  // PKCS#8 EncryptedPrivateKeyInfo: unreadable without its passphrase.
  assert.throws(() => createPrivateKey(rootKey), 'the root key opens without a passphrase');
  assert.equal(
    openssl('pkey', '-in', join(ca, 'root-ca.key'), '-passin', 'pass:wrong passphrase!', '-noout').status !==
      0,
    true,
  );
  assert.equal(
    openssl('pkey', '-in', join(ca, 'root-ca.key'), '-passin', `file:${passFile}`, '-noout').status,
    0,
  );

  const out = join(dir, 'trust');
  const exported = conclave('certs', 'export-trust', '--dir', ca, '--out', out);
  assert.equal(exported.status, 0, exported.stderr);
  const fromDer = openssl(
    'x509',
    '-inform',
    'DER',
    '-in',
    join(out, 'conclave-root-ca.der'),
    '-noout',
    '-fingerprint',
    '-sha256',
  );
  const fromPem = openssl(
    'x509',
    '-in',
    join(out, 'conclave-root-ca.pem'),
    '-noout',
    '-fingerprint',
    '-sha256',
  );
  assert.equal(fromDer.stdout, fromPem.stdout);
  assert.ok(exported.stdout.includes(fromPem.stdout.split('=')[1]!.trim()), 'prints the root fingerprint');
});

test('certs rotate --intermediate with a wrong passphrase is refused with a clear message and changes nothing', () => {
  const { dir, ca } = initialisedPki();
  assert.equal(conclave('certs', 'issue', 'web', '--dir', ca, '--dns', 'web.conclave.test').status, 0);
  const before = readFileSync(join(ca, 'intermediate-ca.crt'), 'utf8');
  const wrong = join(dir, 'wrong');
  writeFileSync(wrong, 'not the passphrase at all\n', { mode: 0o600 });
  const refused = conclave('certs', 'rotate', '--dir', ca, '--intermediate', '--passphrase-file', wrong);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /wrong passphrase for .*root-ca\.key \(wrong_passphrase\)/);
  assert.equal(readFileSync(join(ca, 'intermediate-ca.crt'), 'utf8'), before);
});

test('certs rotate --intermediate with the right passphrase renews the intermediate and re-issues every service under it', () => {
  const { ca, passFile } = initialisedPki();
  assert.equal(conclave('certs', 'issue', 'web', '--dir', ca, '--dns', 'web.conclave.test').status, 0);
  const before = readFileSync(join(ca, 'intermediate-ca.crt'), 'utf8');
  const rotated = conclave('certs', 'rotate', '--dir', ca, '--intermediate', '--passphrase-file', passFile);
  assert.equal(rotated.status, 0, rotated.stderr);
  assert.match(rotated.stdout, /renewed the intermediate CA\nre-issued: web/);
  assert.notEqual(readFileSync(join(ca, 'intermediate-ca.crt'), 'utf8'), before);
  assert.equal(verifyChain(ca, join(ca, 'services/web.crt')).status, 0);
  const text = openssl('x509', '-in', join(ca, 'services/web.crt'), '-noout', '-text').stdout;
  assert.match(text, /DNS:web\.conclave\.test, URI:urn:conclave:service:web/, 'keeps the names');
});

test('certs refuses a private key or passphrase file readable by group/others (mode 0644)', () => {
  const { dir, ca, passFile } = initialisedPki();
  chmodSync(join(ca, 'intermediate-ca.key'), 0o644);
  const issue = conclave('certs', 'issue', 'rooms', '--dir', ca);
  assert.equal(issue.status, 1);
  assert.match(
    issue.stderr,
    /intermediate-ca\.key is accessible by group or others \(mode 0644\): run chmod 600 on it/,
  );
  chmodSync(join(ca, 'intermediate-ca.key'), 0o600);
  assert.equal(conclave('certs', 'issue', 'rooms', '--dir', ca).status, 0);

  chmodSync(join(ca, 'services/rooms.key'), 0o644);
  const status = conclave('certs', 'status', '--dir', ca);
  assert.equal(status.status, 1);
  assert.match(status.stdout, /✖ rooms: .*CHAIN BROKEN: .*rooms\.key is accessible by group or others/);

  chmodSync(passFile, 0o644);
  const init = conclave('certs', 'init', '--dir', join(dir, 'other'), '--passphrase-file', passFile);
  assert.equal(init.status, 1);
  assert.match(init.stderr, /passphrase is accessible by group or others/);
});

test('certs init refuses a short passphrase, and a directory that already holds a root', () => {
  const { dir, ca, passFile } = initialisedPki();
  const short = join(dir, 'short');
  writeFileSync(short, 'hunter2\n', { mode: 0o600 });
  const weak = conclave('certs', 'init', '--dir', join(dir, 'weak'), '--passphrase-file', short);
  assert.equal(weak.status, 1);
  assert.match(weak.stderr, /at least 12 characters \(weak_passphrase\)/);
  const again = conclave('certs', 'init', '--dir', ca, '--passphrase-file', passFile);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds a root CA/);
});

test('certs status flags a certificate expiring within 30 days (exit 0), and rotate re-issues only that one', () => {
  const { ca } = initialisedPki();
  assert.equal(conclave('certs', 'issue', 'sfu', '--dir', ca, '--ip', '127.0.0.1').status, 0);
  assert.equal(
    conclave('certs', 'issue', 'web', '--dir', ca, '--dns', 'web.conclave.test', '--days', '10').status,
    0,
  );
  const status = conclave('certs', 'status', '--dir', ca);
  assert.equal(status.status, 0, status.stdout + status.stderr);
  assert.match(status.stdout, /✔ root: CN=Conclave Root CA/);
  assert.match(status.stdout, /✔ intermediate: CN=Conclave Services CA/);
  assert.match(status.stdout, /✔ sfu: .*\(89 days\)\n/);
  assert.match(status.stdout, /⚠ web: .*\(9 days\) EXPIRES WITHIN 30 DAYS/);

  const sfuBefore = readFileSync(join(ca, 'services/sfu.crt'), 'utf8');
  const rotate = conclave('certs', 'rotate', '--dir', ca);
  assert.equal(rotate.status, 0, rotate.stderr);
  assert.match(rotate.stdout, /^re-issued: web$/m);
  assert.equal(readFileSync(join(ca, 'services/sfu.crt'), 'utf8'), sfuBefore);
  const after = conclave('certs', 'status', '--dir', ca);
  assert.match(after.stdout, /✔ web: .*\(89 days\)/);
  assert.doesNotMatch(after.stdout, /EXPIRES WITHIN/);
});

test('certs status exits 1 when a service certificate was issued by another CA (chain broken)', () => {
  const { ca } = initialisedPki();
  const other = initialisedPki();
  assert.equal(conclave('certs', 'issue', 'sfu', '--dir', other.ca, '--ip', '127.0.0.1').status, 0);
  copyFileSync(join(other.ca, 'services/sfu.crt'), join(ca, 'services/sfu.crt'));
  copyFileSync(join(other.ca, 'services/sfu.key'), join(ca, 'services/sfu.key'));
  const status = conclave('certs', 'status', '--dir', ca);
  assert.equal(status.status, 1);
  assert.match(status.stdout, /✖ sfu: .*CHAIN BROKEN: signature does not verify/);
});

test('certs issue refuses a bad service name or address with a clear message; certs --help shows every action', () => {
  const { ca } = initialisedPki();
  const badIp = conclave('certs', 'issue', 'sfu', '--dir', ca, '--ip', '10.0.0');
  assert.equal(badIp.status, 1);
  assert.match(badIp.stderr, /'10\.0\.0' is not an IP address \(bad_input\)/);
  const badName = conclave('certs', 'issue', '../evil', '--dir', ca);
  assert.equal(badName.status, 1);
  assert.match(badName.stderr, /service name '\.\.\/evil' must match/);
  const help = conclave('certs', '--help');
  assert.equal(help.status, 0);
  for (const action of ['init', 'issue', 'rotate', 'status', 'export-trust'])
    assert.match(help.stdout, new RegExp(`usage: conclave certs ${action}`));
});

test('conclave doctor --pki warns about a certificate expiring within 30 days and fails on a broken chain', () => {
  const { ca } = initialisedPki();
  assert.equal(conclave('certs', 'issue', 'web', '--dir', ca, '--days', '10').status, 0);
  const warned = conclave('doctor', '--pki', ca);
  assert.equal(warned.status, 0, warned.stdout + warned.stderr);
  assert.match(warned.stdout, /✔ certificate root: CN=Conclave Root CA/);
  assert.match(
    warned.stdout,
    /⚠ certificate web: CN=web, expires in 9 days \(within 30: run conclave certs rotate\)/,
  );

  const other = initialisedPki();
  assert.equal(conclave('certs', 'issue', 'web', '--dir', other.ca).status, 0);
  copyFileSync(join(other.ca, 'services/web.crt'), join(ca, 'services/web.crt'));
  const broken = conclave('doctor', '--pki', ca);
  assert.equal(broken.status, 1);
  assert.match(broken.stdout, /✖ certificate web: chain broken: signature does not verify/);
});
