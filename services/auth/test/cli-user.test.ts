import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createLogger, MemoryAuditSink } from '@conclave/server-kit';
import { loadAuthConfig, AuthServer } from '../src/index';
import { strongPassword } from './support/auth-fixture';

const ROOT = join(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'conclave-auth-cli-'));
const configFile = join(dir, 'auth.yaml');
let service: AuthServer;

function conclave(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'cli/bin/conclave'), args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin);
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function login(username: string, password: string) {
  const res = await fetch(`${service.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

before(async () => {
  writeFileSync(configFile, 'http:\n  host: 127.0.0.1\n  port: 0\ninternal:\n  port: 0\ndataDir: data\n');
  service = await AuthServer.start(loadAuthConfig(configFile, {}), {
    audit: new MemoryAuditSink(),
    log: createLogger('t', { level: 'error', write: () => undefined }),
  });
});
after(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

test('conclave user add creates an account in the service database that can sign in', async () => {
  const res = await conclave(
    ['user', 'add', 'zoë', '--role', 'organiser', '--password-stdin', '--config', configFile],
    strongPassword('z') + '\n',
  );
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /user zoë added/);
  assert.ok(!res.stderr.includes(strongPassword('z')), 'the password reached the output');
  const signIn = await login('zoë', strongPassword('z'));
  assert.equal(signIn.status, 200);
});

test('conclave user refuses usage errors with exit code 2 and a clear message', async () => {
  const cases: [string[], RegExp][] = [
    [['user'], /name an action/],
    [['user', 'frobnicate', 'x', '--config', configFile], /name an action/],
    [['user', 'add', 'x', '--config', configFile], /--password-stdin is required/],
    [['user', 'add', 'x', '--password-stdin'], /--config/],
    [
      ['user', 'add', 'x', '--role', 'emperor', '--password-stdin', '--config', configFile],
      /unknown role emperor/,
    ],
    [['user', 'disable', '--config', configFile], /exactly one user/],
    [['user', 'add', 'x', '--no-such-flag'], /Unknown option/],
  ];
  for (const [args, message] of cases) {
    const res = await conclave(args, 'x');
    assert.equal(res.code, 2, args.join(' '));
    assert.match(res.stderr, message);
  }
});

test('conclave user add refuses a weak password with exit code 1 and the policy reason', async () => {
  const res = await conclave(
    ['user', 'add', 'weakling', '--password-stdin', '--config', configFile],
    'password123\n',
  );
  assert.equal(res.code, 1);
  assert.match(res.stderr, /weak_password/);
});

test('conclave user disable ends sign-in, enable restores it; unknown users exit 1', async () => {
  await service.core.accounts.addLocalUser('dora', strongPassword('d'), ['member'], { actor: 'test' });
  assert.equal((await conclave(['user', 'disable', 'dora', '--config', configFile])).code, 0);
  assert.equal((await login('dora', strongPassword('d'))).body['code'], 'invalid_credentials');
  assert.equal((await conclave(['user', 'enable', 'dora', '--config', configFile])).code, 0);
  assert.equal((await login('dora', strongPassword('d'))).status, 200);
  const missing = await conclave(['user', 'disable', 'nobody', '--config', configFile]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no user named "nobody"/);
});

test('conclave user unlock lifts a lock set by repeated failures', async () => {
  await service.core.accounts.addLocalUser('locky', strongPassword('l'), ['member'], { actor: 'test' });
  const key = { key: 'account:locky', policy: service.core.config.throttle.account };
  for (let i = 0; i < 10; i++) await service.core.throttle.recordFailure(key);
  assert.equal((await login('locky', strongPassword('l'))).body['code'], 'account_locked');
  const res = await conclave(['user', 'unlock', 'locky', '--config', configFile]);
  assert.equal(res.code, 0);
  assert.equal((await login('locky', strongPassword('l'))).status, 200);
});

test('conclave user reset-2fa clears the TOTP secret so the user enrols again', async () => {
  const user = await service.core.accounts.addLocalUser('tina', strongPassword('t'), ['member'], {
    actor: 'test',
  });
  await service.core.users.update(user.id, { totpSecret: 'JBSWY3DPEHPK3PXP', totpLastStep: 1 });
  assert.equal((await login('tina', strongPassword('t'))).body['code'], 'totp_required');
  assert.equal((await conclave(['user', 'reset-2fa', 'tina', '--config', configFile])).code, 0);
  assert.equal((await login('tina', strongPassword('t'))).status, 200);
});

test('conclave user bootstrap-admin writes a one-time password to a 0600 file and forces a change', async () => {
  const passwordFile = join(dir, 'admin-password');
  const res = await conclave([
    'user',
    'bootstrap-admin',
    '--password-file',
    passwordFile,
    '--config',
    configFile,
  ]);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(statSync(passwordFile).mode & 0o777, 0o600);
  const password = readFileSync(passwordFile, 'utf8').trim();
  assert.equal((await login('admin', password)).body['kind'], 'password_change_required');
  const again = await conclave([
    'user',
    'bootstrap-admin',
    '--password-file',
    join(dir, 'other'),
    '--config',
    configFile,
  ]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already exists/);
});

test('main.ts --check prints one JSON line for conclave doctor; a bad config exits 2 listing every problem', async () => {
  const main = join(ROOT, 'services/auth/src/main.ts');
  const check = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(join(ROOT, 'scripts/node'), [main, '--config', configFile, '--check'], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
  assert.equal(check.code, 0, check.stderr);
  const summary = JSON.parse(check.stdout.trim()) as {
    service: string;
    listeners: { label: string; host: string; port: number }[];
    certificates: unknown[];
  };
  assert.equal(summary.service, 'auth');
  assert.deepEqual(
    summary.listeners.map((l) => l.host),
    ['127.0.0.1', '127.0.0.1'],
  );
  assert.deepEqual(summary.certificates, []);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'http:\n  port: 99999\nunknownKey: 1\nldap:\n  url: ldap://dc.example.org\n  bindDn: cn=x\n  bindPasswordFile: f\n  userBase: ou=p\n',
  );
  const refused = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const child = spawn(join(ROOT, 'scripts/node'), [main, '--config', bad, '--check'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stderr }));
  });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /http\.port/);
  assert.match(refused.stderr, /unknownKey/);
  assert.match(refused.stderr, /plain ldap:\/\/ sends passwords in clear/);
});
