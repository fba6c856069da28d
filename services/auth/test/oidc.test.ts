import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { freePort, startOidcProvider, type OidcProviderFixture } from '@conclave/testing';
import { cookiesOf, startAuthFixture, type AuthFixture } from './support/auth-fixture';

let idp: OidcProviderFixture;
let fx: AuthFixture;
const clientSecret = 'oidc-test-client-secret-0123456789';
const secretDir = mkdtempSync(join(tmpdir(), 'conclave-oidc-'));

before(async () => {
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/api/auth/oidc/callback`;
  idp = await startOidcProvider({
    clientId: 'conclave',
    clientSecret,
    redirectUri,
    accounts: {
      olive: {
        name: 'Olive Organiser',
        preferred_username: 'olive',
        groups: ['conclave-organisers', 'unrelated'],
      },
      adele: { name: 'Adele Admin', preferred_username: 'adele', groups: ['conclave-admins'] },
      // Another person at the provider whose name differs from olive's only by a trailing space.
      mallory: { name: 'Mallory', preferred_username: 'olive ', groups: ['conclave-organisers'] },
    },
  });
  const secretFile = join(secretDir, 'client-secret');
  writeFileSync(secretFile, clientSecret, { mode: 0o600 });
  fx = await startAuthFixture({
    httpPort: port,
    trustProxy: ['127.0.0.1'],
    config: {
      sso: { maxPending: 60 },
      oidc: {
        issuer: idp.issuer,
        clientId: 'conclave',
        clientSecretFile: secretFile,
        redirectUri,
        scopes: ['openid', 'profile'],
        roleMap: { 'conclave-organisers': ['organiser'], 'conclave-admins': ['admin'] },
        allowLoopbackHttp: true,
      },
    },
  });
});
after(async () => {
  await fx.close();
  await idp.stop();
  rmSync(secretDir, { recursive: true, force: true });
});

async function startFlow() {
  const res = await fetch(`${fx.url}/api/auth/oidc/login`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const location = res.headers.get('location')!;
  const cookies = cookiesOf(res.headers);
  return {
    location,
    cookie: Object.entries(cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join('; '),
  };
}

test('OIDC: code flow with PKCE against a real oidc-provider issues tokens with amr oidc and mapped roles', async () => {
  const { location, cookie } = await startFlow();
  const authorization = new URL(location);
  assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorization.searchParams.get('state') && authorization.searchParams.get('nonce'));
  const callback = await idp.signIn(location, 'olive');
  const res = await fetch(`${fx.url}${callback.pathname}${callback.search}`, { headers: { cookie } });
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 200, JSON.stringify(body));
  const claims = decodeJwt(body['accessToken'] as string);
  assert.deepEqual(claims['amr'], ['oidc']);
  assert.equal(claims['name'], 'Olive Organiser');
  assert.deepEqual(claims['roles'], ['organiser', 'member']);
  const profile = await fx.service.core.users.findByUsername('oidc', 'olive');
  assert.equal(profile?.passwordHash, null);
});

test('OIDC: an admin (TOTP required for the role) is refused with sso_failed when the ID token asserts no MFA', async () => {
  const { location, cookie } = await startFlow();
  const callback = await idp.signIn(location, 'adele');
  const res = await fetch(`${fx.url}${callback.pathname}${callback.search}`, { headers: { cookie } });
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 401, JSON.stringify(body));
  assert.equal(body['code'], 'sso_failed');
  assert.equal(body['accessToken'], undefined);
  assert.ok(fx.audit.events.some((e) => e.action === 'auth.login' && e.reason === 'mfa_required'));
});

test('OIDC: a provider name with a trailing space ("olive ") is refused with sso_failed and makes no profile', async () => {
  const { location, cookie } = await startFlow();
  const callback = await idp.signIn(location, 'mallory');
  const res = await fetch(`${fx.url}${callback.pathname}${callback.search}`, { headers: { cookie } });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { code: string }).code, 'sso_failed');
  const rows = (await fx.service.core.db.query(`SELECT username FROM auth_users WHERE source = 'oidc'`)) as {
    username: string;
  }[];
  assert.ok(!rows.some((r) => r.username !== r.username.trim()), JSON.stringify(rows));
  assert.ok(fx.audit.events.some((e) => e.action === 'auth.login' && e.reason === 'bad_username'));
});

test('OIDC: a callback without the browser-bound state cookie, or replayed, is refused with sso_failed', async () => {
  const { location, cookie } = await startFlow();
  const callback = await idp.signIn(location, 'olive');
  const stolen = await fetch(`${fx.url}${callback.pathname}${callback.search}`);
  assert.equal(stolen.status, 401);
  assert.equal(((await stolen.json()) as { code: string }).code, 'sso_failed');
  const replay = await fetch(`${fx.url}${callback.pathname}${callback.search}`, { headers: { cookie } });
  assert.equal(replay.status, 401);
});

test('OIDC: a forged authorization code is refused by the provider and audited', async () => {
  const { location, cookie } = await startFlow();
  const state = new URL(location).searchParams.get('state')!;
  const res = await fetch(
    `${fx.url}/api/auth/oidc/callback?code=forged-code&state=${state}&iss=${encodeURIComponent(idp.issuer)}`,
    { headers: { cookie } },
  );
  assert.equal(res.status, 401);
  assert.ok(fx.audit.events.some((e) => e.reason === 'oidc_rejected'));
});

test('OIDC: sign-ins are counted by method and outcome in conclave_auth_sign_ins_total', async () => {
  const metrics = await (await fetch(`${fx.service.internalUrl}/metrics`)).text();
  const count = (outcome: string) =>
    Number(
      new RegExp(`^conclave_auth_sign_ins_total\\{method="oidc",outcome="${outcome}"\\} (\\d+)`, 'm').exec(
        metrics,
      )?.[1] ?? 0,
    );
  assert.ok(
    count('success') >= 1,
    metrics
      .split('\n')
      .filter((l) => l.includes('sign_ins'))
      .join('\n'),
  );
  assert.ok(count('sso_failed') >= 1);
});

test('GET /api/auth/providers names the configured OIDC provider and where to start it, nothing secret', async () => {
  const res = await fx.request('GET', '/api/auth/providers');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    providers: [{ kind: 'oidc', displayName: '127.0.0.1', loginPath: '/api/auth/oidc/login' }],
  });
  assert.doesNotMatch(JSON.stringify(res.body), new RegExp(clientSecret));
});

test('OIDC: a browser the provider sends back lands on the app signed in (303 to /, session cookie set)', async () => {
  const { location, cookie } = await startFlow();
  const callback = await idp.signIn(location, 'olive');
  const res = await fetch(`${fx.url}${callback.pathname}${callback.search}`, {
    headers: { cookie, accept: 'text/html', 'sec-fetch-mode': 'navigate' },
    redirect: 'manual',
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/');
  const session = cookiesOf(res.headers);
  assert.ok(
    Object.keys(session).some((name) => /refresh/.test(name)),
    JSON.stringify(Object.keys(session)),
  );
  // The state is single use: the same return again lands on sign-in, saying the sign-in failed.
  const replay = await fetch(`${fx.url}${callback.pathname}${callback.search}`, {
    headers: { cookie, accept: 'text/html', 'sec-fetch-mode': 'navigate' },
    redirect: 'manual',
  });
  assert.equal(replay.status, 303);
  assert.equal(replay.headers.get('location'), '/#/sign-in?sso=failed');
});

test('OIDC: a flood of sign-in starts from one address is refused past its quota, memory stays bounded, and a real sign-in completes', async () => {
  const { location, cookie } = await startFlow();
  const statuses: number[] = [];
  for (let i = 0; i < 300; i++)
    statuses.push((await fetch(`${fx.url}/api/auth/oidc/login`, { redirect: 'manual' })).status);
  assert.ok(statuses.filter((s) => s === 429).length >= 280, JSON.stringify(statuses));
  assert.ok(fx.service.core.oidc!.pendingCount <= 20, String(fx.service.core.oidc!.pendingCount));
  const callback = await idp.signIn(location, 'olive');
  const res = await fetch(`${fx.url}${callback.pathname}${callback.search}`, { headers: { cookie } });
  assert.equal(res.status, 200, JSON.stringify(await res.json()));
});

test('OIDC: a flood of sign-in starts from many addresses fills the bounded store without evicting a real sign-in', async () => {
  const { location, cookie } = await startFlow();
  const statuses: number[] = [];
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${fx.url}/api/auth/oidc/login`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': `10.${Math.floor(i / 250)}.${i % 250}.1` },
    });
    statuses.push(res.status);
  }
  assert.ok(statuses.includes(429), JSON.stringify(statuses));
  assert.ok(fx.service.core.oidc!.pendingCount <= 60, String(fx.service.core.oidc!.pendingCount));
  const callback = await idp.signIn(location, 'olive');
  const res = await fetch(`${fx.url}${callback.pathname}${callback.search}`, { headers: { cookie } });
  assert.equal(res.status, 200, JSON.stringify(await res.json()));
});
