import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { startSamlIdp, type SamlIdpFixture } from '@conclave/testing';
import { cookiesOf, startAuthFixture, type AuthFixture } from './support/auth-fixture';

const SP = 'https://conclave.test/saml/sp';
const ACS = 'https://conclave.test/api/auth/saml/acs';
let idp: SamlIdpFixture;
let fx: AuthFixture;

before(async () => {
  idp = await startSamlIdp({ spEntityId: SP, acsUrl: ACS });
  fx = await startAuthFixture({
    config: {
      saml: {
        entryPoint: idp.ssoUrl,
        idpCertFile: idp.certFile,
        idpIssuer: idp.entityId,
        issuer: SP,
        callbackUrl: ACS,
        defaultRoles: ['member'],
      },
    },
  });
});
after(async () => {
  await fx.close();
  idp.destroy();
});

/** A browser starting a sign-in: the IdP's signed answer for `nameId`, and the browser's request cookie. */
async function startAndAnswer(nameId: string): Promise<{ response: string; cookie: string }> {
  const res = await fetch(`${fx.url}/api/auth/saml/login`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const cookie = Object.entries(cookiesOf(res.headers))
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return { response: await idp.respond(res.headers.get('location')!, nameId), cookie };
}

let lastCookie = '';
async function signedResponse(nameId: string): Promise<string> {
  const { response, cookie } = await startAndAnswer(nameId);
  lastCookie = cookie;
  return response;
}

/** Posts a response from the browser that started the last sign-in (or from the given cookie). */
const post = (samlResponse: string, cookie = lastCookie) =>
  fetch(`${fx.url}/api/auth/saml/acs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ SAMLResponse: samlResponse }).toString(),
  });

test('SAML: a signed assertion from the IdP, answering our request, signs the person in with amr saml', async () => {
  const res = await post(await signedResponse('sam@conclave.test'));
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 200, JSON.stringify(body));
  const claims = decodeJwt(body['accessToken'] as string);
  assert.deepEqual(claims['amr'], ['saml']);
  assert.deepEqual(claims['roles'], ['member']);
  assert.equal((await fx.service.core.users.findByUsername('saml', 'sam@conclave.test'))?.passwordHash, null);
});

test('SAML: a tampered assertion (NameID changed after signing) is refused with sso_failed', async () => {
  const xml = Buffer.from(await signedResponse('sam@conclave.test'), 'base64').toString('utf8');
  assert.ok(xml.includes('sam@conclave.test'));
  const tampered = Buffer.from(xml.replaceAll('sam@conclave.test', 'admin@conclave.test')).toString('base64');
  const res = await post(tampered);
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { code: string }).code, 'sso_failed');
  assert.equal(await fx.service.core.users.findByUsername('saml', 'admin@conclave.test'), null);
  assert.ok(fx.audit.events.some((e) => e.reason === 'saml_rejected'));
});

test('SAML: a response replayed, or answering no request of ours, is refused', async () => {
  const response = await signedResponse('sam@conclave.test');
  assert.equal((await post(response)).status, 200);
  assert.equal((await post(response)).status, 401);
  assert.equal((await post(Buffer.from('<not-saml/>').toString('base64'))).status, 401);
});

test('SAML: a response answering our request with its signature removed is refused', async () => {
  const xml = Buffer.from(await signedResponse('sam@conclave.test'), 'base64').toString('utf8');
  const stripped = xml.replace(/<(\w+:)?Signature[\s\S]*?<\/(\w+:)?Signature>/g, '');
  assert.ok(stripped.length < xml.length && !stripped.includes('SignatureValue'));
  const res = await post(Buffer.from(stripped).toString('base64'));
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { code: string }).code, 'sso_failed');
});

test('SAML: a response answering a request another browser started is refused (InResponseTo bound to the browser)', async () => {
  // The attacker signs in at the IdP as themself and makes the victim's browser post the answer.
  const attacker = await startAndAnswer('mallory@conclave.test');
  const victim = await startAndAnswer('victim@conclave.test');
  for (const cookie of [victim.cookie, '']) {
    const res = await post(attacker.response, cookie);
    assert.equal(res.status, 401, cookie);
    assert.equal(((await res.json()) as { code: string }).code, 'sso_failed');
  }
  assert.equal(await fx.service.core.users.findByUsername('saml', 'mallory@conclave.test'), null);
  assert.equal((await post(victim.response, victim.cookie)).status, 200);
});

test('SAML: the browser posting the assertion lands on the app signed in (303 to /), and a replay lands on sign-in saying it failed', async () => {
  const response = await signedResponse('nav@conclave.test');
  const navigate = () =>
    fetch(`${fx.url}/api/auth/saml/acs`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: lastCookie,
        accept: 'text/html',
        'sec-fetch-mode': 'navigate',
      },
      body: new URLSearchParams({ SAMLResponse: response }).toString(),
    });
  const res = await navigate();
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/');
  assert.ok(Object.keys(cookiesOf(res.headers)).some((name) => /refresh/.test(name)));
  const replay = await navigate();
  assert.equal(replay.status, 303);
  assert.equal(replay.headers.get('location'), '/#/sign-in?sso=failed');
});

test('GET /api/auth/providers names the configured SAML provider by its entry point host', async () => {
  const res = await fx.request('GET', '/api/auth/providers');
  assert.deepEqual(res.body, {
    providers: [
      { kind: 'saml', displayName: new URL(idp.ssoUrl).hostname, loginPath: '/api/auth/saml/login' },
    ],
  });
});

test('SAML: a flood of sign-in starts from one address is refused past its quota, memory stays bounded, and a real sign-in completes', async () => {
  const real = await startAndAnswer('sam@conclave.test');
  const statuses: number[] = [];
  for (let i = 0; i < 300; i++)
    statuses.push((await fetch(`${fx.url}/api/auth/saml/login`, { redirect: 'manual' })).status);
  assert.ok(statuses.filter((s) => s === 429).length >= 280, JSON.stringify(statuses));
  assert.ok(fx.service.core.saml!.pendingCount <= 20, String(fx.service.core.saml!.pendingCount));
  const res = await post(real.response, real.cookie);
  assert.equal(res.status, 200, JSON.stringify(await res.json()));
});

test('SAML: an admin (TOTP required for the role) is refused with sso_failed when the assertion claims no multi-factor context', async () => {
  const admins = await startAuthFixture({
    config: {
      saml: {
        entryPoint: idp.ssoUrl,
        idpCertFile: idp.certFile,
        idpIssuer: idp.entityId,
        issuer: SP,
        callbackUrl: ACS,
        defaultRoles: ['admin', 'member'],
      },
    },
  });
  try {
    const start = await fetch(`${admins.url}/api/auth/saml/login`, { redirect: 'manual' });
    const cookie = Object.entries(cookiesOf(start.headers))
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const response = await idp.respond(start.headers.get('location')!, 'root@conclave.test');
    const res = await fetch(`${admins.url}/api/auth/saml/acs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ SAMLResponse: response }).toString(),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 401, JSON.stringify(body));
    assert.equal(body['code'], 'sso_failed');
    assert.ok(admins.audit.events.some((e) => e.reason === 'mfa_required'));
  } finally {
    await admins.close();
  }
});
