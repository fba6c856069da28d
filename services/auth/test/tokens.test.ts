import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import { AUTH_JWKS_PATH } from '@conclave/protocol';
import { OPENAPI_PATH } from '../src/index';
import { SigningKeys } from '../src/tokens/signing-keys';
import { formatOpenApi, OPENAPI_FILE } from '../src/write-openapi';
import { startAuthFixture, strongPassword, type AuthFixture } from './support/auth-fixture';

const run = promisify(execFile);
const ROOT = join(__dirname, '../../..');

let fx: AuthFixture;
before(async () => {
  fx = await startAuthFixture({ config: { tokens: { keyRotationSeconds: 3600, keyOverlapSeconds: 1800 } } });
  await fx.addUser('rotor', strongPassword('rotor'));
});
after(() => fx.close());

async function verifyElsewhere(tokens: string[]): Promise<{ ok: boolean; kid?: string; error?: string }[]> {
  const { stdout } = await run(
    join(ROOT, 'scripts/node'),
    [join(__dirname, 'support/verify-token.ts'), fx.url + AUTH_JWKS_PATH, String(fx.clock.now()), ...tokens],
    { cwd: ROOT },
  );
  return JSON.parse(stdout.trim()) as { ok: boolean; kid?: string; error?: string }[];
}

const accessToken = async () =>
  (await fx.login('rotor', strongPassword('rotor'))).body['accessToken'] as string;

test('JWKS rotation: a second process verifies old-key tokens during the overlap, and the old key leaves after it', async () => {
  fx.clock.advance(3600 * 1000 - 60_000);
  const old = await accessToken();
  const oldKid = decodeProtectedHeader(old).kid;
  fx.clock.advance(61_000);
  const current = await accessToken();
  const newKid = decodeProtectedHeader(current).kid;
  assert.notEqual(newKid, oldKid);
  const jwks = await fx.request('GET', AUTH_JWKS_PATH);
  assert.deepEqual(
    (jwks.body['keys'] as { kid: string }[]).map((k) => k.kid).sort(),
    [oldKid, newKid].sort(),
  );
  for (const key of jwks.body['keys'] as Record<string, unknown>[]) {
    assert.equal(key['d'], undefined, 'a private key part was published');
    assert.equal(key['alg'], 'EdDSA');
  }
  assert.deepEqual(await verifyElsewhere([old, current]), [
    { ok: true, kid: oldKid },
    { ok: true, kid: newKid },
  ]);

  fx.clock.advance(1800 * 1000);
  const later = await fx.request('GET', AUTH_JWKS_PATH);
  assert.deepEqual(
    (later.body['keys'] as { kid: string }[]).map((k) => k.kid),
    [newKid],
  );
  assert.deepEqual(await verifyElsewhere([old]), [{ ok: false, error: 'ERR_JWKS_NO_MATCHING_KEY' }]);
});

test('signing keys are kept in 0600 files that a restarted service signs with again', async () => {
  const keysDir = join(fx.dir, 'keys');
  const files = readdirSync(keysDir);
  assert.ok(files.length >= 1);
  for (const file of files) assert.equal(statSync(join(keysDir, file)).mode & 0o777, 0o600);
  const kid = decodeProtectedHeader(await accessToken()).kid;
  const reopened = new SigningKeys({ dir: keysDir, rotationSeconds: 3600, overlapSeconds: 1800 }, fx.clock);
  assert.equal((await reopened.current()).kid, kid);
});

test('access tokens of another issuer key or with a tampered payload are refused by /me', async () => {
  const token = await accessToken();
  const [h, p, s] = token.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
  payload['roles'] = ['admin'];
  const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  const res = await fx.request('GET', '/api/auth/me', { headers: { authorization: `Bearer ${forged}` } });
  assert.equal(res.status, 401);
  assert.equal(res.body['code'], 'invalid_token');
  const [verdict] = await verifyElsewhere([forged]);
  assert.equal(verdict!.ok, false);
});

test('GET /api/auth/openapi.json matches the committed docs/api/auth.openapi.json', async () => {
  const served = await fx.request('GET', OPENAPI_PATH);
  assert.equal(served.status, 200);
  assert.equal(
    readFileSync(OPENAPI_FILE, 'utf8'),
    formatOpenApi(served.body),
    'run scripts/node services/auth/src/write-openapi.ts',
  );
  const paths = Object.keys(served.body['paths'] as object);
  for (const path of [
    '/api/auth/login',
    '/api/auth/refresh',
    '/api/auth/logout',
    '/api/auth/me',
    '/api/auth/totp/enrol',
    AUTH_JWKS_PATH,
  ]) {
    assert.ok(paths.includes(path), path);
  }
});

test('/metrics on the internal port counts sign-ins by method and outcome, without names or secrets', async () => {
  await fx.login('rotor', 'Wrong-Password-For-Metrics-1!');
  const text = await (await fetch(`${fx.service.internalUrl}/metrics`)).text();
  assert.match(text, /conclave_auth_sign_ins_total\{method="pwd",outcome="success"\} \d+/);
  assert.match(text, /conclave_auth_sign_ins_total\{method="password",outcome="invalid_credentials"\} \d+/);
  assert.match(text, /conclave_auth_tokens_issued_total\{kind="access"\} \d+/);
  assert.ok(!text.includes('rotor') && !text.includes('Wrong-Password'));
  assert.equal((await fetch(`${fx.url}/metrics`)).status, 404);
});
