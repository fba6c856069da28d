import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_MAX_LIFETIME_SECONDS,
  accessTokenClaimsSchema,
} from '@conclave/protocol';
import { TotpSecretBox } from '../../src/credentials/totp-secret-box';
import { base32Decode, totpAt, totpStep } from '../../src/index';
import { cookiesOf, strongPassword, type AuthFixture, type FixtureOptions } from './auth-fixture';

type Start = (options?: FixtureOptions) => Promise<AuthFixture>;

const SECRETS_NEVER_IN_AUDIT = (fixture: AuthFixture, secrets: string[]) => {
  const text = JSON.stringify(fixture.audit.events);
  for (const secret of secrets) assert.ok(!text.includes(secret), 'a secret reached the audit trail');
};

/**
 * The local-account scenarios, run against SQLite and PostgreSQL alike: sign-in, TOTP, step-ups, tokens,
 * refresh rotation and reuse detection, logout and disabling, throttling and lockout.
 */
export function coreScenarios(label: string, start: Start): void {
  describe(`local accounts (${label})`, () => {
    let fx: AuthFixture;
    before(async () => {
      fx = await start({ config: { throttle: { source: { freeAttempts: 1000 } } } });
    });
    after(() => fx.close());

    test('login() returns an EdDSA access token with the contract claims and a refresh token', async () => {
      const password = strongPassword('ada');
      const userId = await fx.addUser('ada', password, ['organiser']);
      const res = await fx.login('ada', password);
      assert.equal(res.status, 200);
      assert.equal(res.body['kind'], 'tokens');
      const token = res.body['accessToken'] as string;
      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, 'EdDSA');
      assert.equal(typeof header.kid, 'string');
      const claims = accessTokenClaimsSchema.parse(decodeJwt(token));
      assert.equal(claims.iss, ACCESS_TOKEN_ISSUER);
      assert.equal(claims.aud, ACCESS_TOKEN_AUDIENCE);
      assert.equal(claims.sub, userId);
      assert.deepEqual(claims.roles, ['organiser']);
      assert.deepEqual(claims.amr, ['pwd']);
      assert.ok(claims.exp - claims.iat <= ACCESS_TOKEN_MAX_LIFETIME_SECONDS);
      assert.equal(typeof res.body['refreshToken'], 'string');
      SECRETS_NEVER_IN_AUDIT(fx, [password, token, res.body['refreshToken'] as string]);
    });

    test('login() with session cookie sets HttpOnly Secure SameSite=Strict __Host- cookies and keeps the refresh token out of the body', async () => {
      await fx.addUser('cookie', strongPassword('c'));
      const res = await fx.request('POST', '/api/auth/login', {
        json: { username: 'cookie', password: strongPassword('c'), session: 'cookie' },
      });
      assert.equal(res.status, 200);
      assert.equal(typeof res.body['accessToken'], 'string');
      assert.equal('refreshToken' in res.body, false, JSON.stringify(Object.keys(res.body)));
      const refreshed = await fx.request('POST', '/api/auth/refresh', {
        headers: {
          cookie: Object.entries(cookiesOf(res.headers))
            .map(([k, v]) => `${k}=${v}`)
            .join('; '),
          'x-csrf-token': cookiesOf(res.headers)['__Host-conclave-csrf']!,
        },
      });
      assert.equal(refreshed.status, 200);
      assert.equal('refreshToken' in refreshed.body, false);
      assert.ok(cookiesOf(refreshed.headers)['__Host-conclave-refresh']);
      // The token flow (API clients) gets it in the body and no cookie.
      const api = await fx.login('cookie', strongPassword('c'));
      assert.equal(typeof api.body['refreshToken'], 'string');
      assert.deepEqual(api.headers.getSetCookie(), []);
      const lines = res.headers.getSetCookie();
      const refresh = lines.find((l) => l.startsWith('__Host-conclave-refresh='))!;
      assert.match(refresh, /HttpOnly/);
      assert.match(refresh, /Secure/);
      assert.match(refresh, /SameSite=Strict/);
      assert.match(refresh, /Path=\//);
      assert.ok(lines.some((l) => l.startsWith('__Host-conclave-csrf=') && !/HttpOnly/.test(l)));
    });

    test('login() answers wrong password, unknown user and disabled account with the same 401 body', async () => {
      await fx.addUser('bob', strongPassword('bob'));
      await fx.addUser('gone', strongPassword('gone'));
      await fx.service.core.accounts.disable('gone', 'test');
      const wrong = await fx.login('bob', strongPassword('nope'));
      const unknown = await fx.login('nobody-here', strongPassword('bob'));
      const disabled = await fx.login('gone', strongPassword('gone'));
      for (const res of [wrong, unknown, disabled]) {
        assert.equal(res.status, 401);
        assert.deepEqual(res.body, wrong.body);
      }
      assert.equal(wrong.body['code'], 'invalid_credentials');
      const reasons = fx.audit.events
        .filter((e) => e.action === 'auth.login' && e.outcome === 'failure')
        .map((e) => e.reason);
      assert.ok(
        reasons.includes('invalid_password') &&
          reasons.includes('unknown_user') &&
          reasons.includes('disabled'),
      );
    });

    test('login() takes as long for an unknown user as for a wrong password (argon2 runs either way)', async () => {
      await fx.addUser('timing', strongPassword('t'));
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const known: number[] = [];
      const unknown: number[] = [];
      // Same database work on both sides (one existing throttle row each), interleaved so load hits both alike.
      for (let i = 0; i < 11; i++) {
        known.push((await fx.login('timing', `Wrong-Password-${i}-xyz!`)).ms);
        unknown.push((await fx.login('timing-ghost', `Wrong-Password-${i}-xyz!`)).ms);
        await fx.service.core.throttle.reset('account:timing');
        await fx.service.core.throttle.reset('account:timing-ghost');
      }
      const ratio = median(unknown) / median(known);
      // Without the dummy verification the ratio measured here is about 0.25.
      assert.ok(ratio > 0.5 && ratio < 2, `unknown/known median ratio ${ratio.toFixed(2)}`);
    });

    test('login() refuses malformed bodies with 400 and a stable code, never a 5xx', async () => {
      const cases: { json?: unknown; raw?: string }[] = [
        { json: {} },
        { json: { username: 'a' } },
        { json: { username: 1, password: 'x' } },
        { json: { username: 'a', password: 'x', extra: true } },
        { json: { username: 'a\u0000b', password: 'x' } },
        { json: { username: 'a', password: 'x\u0007' } },
        { json: { username: 'x'.repeat(257), password: 'x' } },
        { json: { username: 'a', password: 'x', totp: '12ab56' } },
        { json: [] },
        { json: 'text' },
        { raw: '{"username":' },
      ];
      for (const c of cases) {
        const res = await fx.request('POST', '/api/auth/login', c);
        assert.equal(res.status, 400, JSON.stringify(c));
        assert.ok(['bad_request', 'malformed_message'].includes(res.body['code'] as string));
        assert.equal(Object.keys(res.body).sort().join(), 'code,message');
      }
      const huge = await fx.request('POST', '/api/auth/login', {
        raw: JSON.stringify({ username: 'a', password: 'x'.repeat(100_000) }),
      });
      assert.equal(huge.status, 413);
      assert.equal(huge.body['code'], 'payload_too_large');
    });

    test('TOTP: a role that requires it must enrol first, then sign in with a code accepted once only', async () => {
      const password = strongPassword('eve');
      await fx.addUser('eve', password, ['admin']);
      const first = await fx.login('eve', password);
      assert.equal(first.body['kind'], 'totp_enrolment_required');
      const step = { authorization: `Bearer ${first.body['stepToken'] as string}` };
      // The step token is no access token: it does not open /me.
      assert.equal((await fx.request('GET', '/api/auth/me', { headers: step })).status, 401);
      const enrol = await fx.request('POST', '/api/auth/totp/enrol', { headers: step });
      assert.equal(enrol.status, 200);
      assert.match(enrol.body['otpauthUri'] as string, /^otpauth:\/\/totp\/Conclave:eve\?secret=/);
      const secret = base32Decode(enrol.body['secret'] as string);
      const code = () => totpAt(secret, totpStep(fx.clock.now(), 30));
      const confirm = await fx.request('POST', '/api/auth/totp/confirm', {
        headers: step,
        json: { code: code() },
      });
      assert.equal(confirm.status, 200);
      const recovery = confirm.body['recoveryCodes'] as string[];
      assert.equal(recovery.length, 10);
      // The step token was used: replayed, it neither confirms again nor starts a new enrolment.
      for (const path of ['/api/auth/totp/confirm', '/api/auth/totp/enrol']) {
        const replay = await fx.request('POST', path, { headers: step, json: { code: code() } });
        assert.equal(replay.status, 401, path);
        assert.equal(replay.body['code'], 'invalid_token');
      }
      // The column holds the secret sealed, never the secret.
      const [row] = (await fx.service.core.db.query(
        `SELECT totp_secret, totp_pending_secret FROM auth_users WHERE username = 'eve'`,
      )) as { totp_secret: string; totp_pending_secret: string | null }[];
      assert.ok(row!.totp_secret.startsWith('v1.'), row!.totp_secret);
      assert.ok(!row!.totp_secret.includes(enrol.body['secret'] as string));
      assert.equal(row!.totp_pending_secret, null);

      fx.clock.advance(30_000);
      const without = await fx.login('eve', password);
      assert.equal(without.status, 401);
      assert.equal(without.body['code'], 'totp_required');
      const ok = await fx.login('eve', password, code());
      assert.equal(ok.status, 200);
      assert.deepEqual(decodeJwt(ok.body['accessToken'] as string)['amr'], ['pwd', 'otp']);
      const replay = await fx.login('eve', password, code());
      assert.equal(replay.status, 401);
      assert.equal(replay.body['code'], 'invalid_credentials');

      const byRecovery = await fx.login('eve', password, recovery[0]);
      assert.equal(byRecovery.status, 200);
      assert.equal((await fx.login('eve', password, recovery[0])).status, 401);
      SECRETS_NEVER_IN_AUDIT(fx, [password, enrol.body['secret'] as string, ...recovery]);
      assert.ok(fx.audit.events.some((e) => e.action === 'auth.totp.enrol' && e.outcome === 'success'));
      await fx.service.core.throttle.reset('account:eve');
    });

    test('totp/enrol with an access token needs the current password again (400 without, 401 wrong)', async () => {
      await fx.addUser('stolen', strongPassword('st'));
      const login = await fx.login('stolen', strongPassword('st'));
      const bearer = { authorization: `Bearer ${login.body['accessToken'] as string}` };
      const none = await fx.request('POST', '/api/auth/totp/enrol', { headers: bearer });
      assert.equal(none.status, 400);
      assert.equal(none.body['code'], 'bad_request');
      const wrong = await fx.request('POST', '/api/auth/totp/enrol', {
        headers: bearer,
        json: { password: strongPassword('guess') },
      });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body['code'], 'invalid_credentials');
      const right = await fx.request('POST', '/api/auth/totp/enrol', {
        headers: bearer,
        json: { password: strongPassword('st') },
      });
      assert.equal(right.status, 200);
      assert.equal(typeof right.body['secret'], 'string');
      const [row] = (await fx.service.core.db.query(
        `SELECT totp_pending_secret FROM auth_users WHERE username = 'stolen'`,
      )) as { totp_pending_secret: string }[];
      assert.ok(row!.totp_pending_secret.startsWith('v1.'));
      assert.ok(!row!.totp_pending_secret.includes(right.body['secret'] as string));
      await fx.service.core.throttle.reset('account:stolen');
    });

    test('a TOTP secret an older version stored in clear is sealed at start-up and still accepts codes', async () => {
      const password = strongPassword('old');
      const id = await fx.addUser('legacy', password);
      const clear = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
      await fx.service.core.db.query(`UPDATE auth_users SET totp_secret = '${clear}' WHERE id = '${id}'`);
      const box = TotpSecretBox.loadOrCreate(fx.service.core.config.totp.secretKeyFile!);
      assert.equal(await box.sealStoredInClear(fx.service.core.db), 1);
      const [row] = (await fx.service.core.db.query(
        `SELECT totp_secret FROM auth_users WHERE id = '${id}'`,
      )) as { totp_secret: string }[];
      assert.ok(row!.totp_secret.startsWith('v1.') && !row!.totp_secret.includes(clear));
      fx.clock.advance(60_000);
      const code = totpAt(base32Decode(clear), totpStep(fx.clock.now(), 30));
      assert.equal((await fx.login('legacy', password, code)).status, 200);
    });

    test('a first administrator must change the one-time password before anything else', async () => {
      const initial = strongPassword('first');
      await fx.addUser('root-admin', initial, ['member'], { mustChangePassword: true });
      const first = await fx.login('root-admin', initial);
      assert.equal(first.body['kind'], 'password_change_required');
      const headers = { authorization: `Bearer ${first.body['stepToken'] as string}` };
      const weak = await fx.request('POST', '/api/auth/password', {
        headers,
        json: { newPassword: 'short' },
      });
      assert.equal(weak.status, 400);
      assert.equal(weak.body['code'], 'weak_password');
      const changed = await fx.request('POST', '/api/auth/password', {
        headers,
        json: { newPassword: strongPassword('second') },
      });
      assert.equal(changed.status, 204);
      // The step token was used: a replay cannot set the password again.
      const replay = await fx.request('POST', '/api/auth/password', {
        headers,
        json: { newPassword: strongPassword('attacker') },
      });
      assert.equal(replay.status, 401);
      assert.equal(replay.body['code'], 'invalid_token');
      assert.equal((await fx.login('root-admin', initial)).status, 401);
      assert.equal((await fx.login('root-admin', strongPassword('second'))).body['kind'], 'tokens');
    });

    test('refresh() rotates the token; presenting a used one revokes the whole session family', async () => {
      await fx.addUser('rot', strongPassword('rot'));
      const login = await fx.login('rot', strongPassword('rot'));
      const r0 = login.body['refreshToken'] as string;
      const a = await fx.request('POST', '/api/auth/refresh', { json: { refreshToken: r0 } });
      assert.equal(a.status, 200);
      const r1 = a.body['refreshToken'] as string;
      assert.notEqual(r1, r0);
      const reuse = await fx.request('POST', '/api/auth/refresh', { json: { refreshToken: r0 } });
      assert.equal(reuse.status, 401);
      assert.equal(reuse.body['code'], 'invalid_token');
      // The legitimate holder's newer token dies with the family, and so does its access token.
      assert.equal(
        (await fx.request('POST', '/api/auth/refresh', { json: { refreshToken: r1 } })).status,
        401,
      );
      const me = await fx.request('GET', '/api/auth/me', {
        headers: { authorization: `Bearer ${a.body['accessToken'] as string}` },
      });
      assert.equal(me.status, 401);
      assert.ok(fx.audit.events.some((e) => e.action === 'auth.refresh.reuse'));
    });

    test('refresh() from the cookie requires the CSRF header to match the CSRF cookie', async () => {
      await fx.addUser('browser', strongPassword('br'));
      const login = await fx.request('POST', '/api/auth/login', {
        json: { username: 'browser', password: strongPassword('br'), session: 'cookie' },
      });
      const cookies = cookiesOf(login.headers);
      const cookie = Object.entries(cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ');
      const noHeader = await fx.request('POST', '/api/auth/refresh', { headers: { cookie } });
      assert.equal(noHeader.status, 403);
      assert.equal(noHeader.body['code'], 'csrf_rejected');
      const wrong = await fx.request('POST', '/api/auth/refresh', {
        headers: { cookie, 'x-csrf-token': 'x'.repeat(32) },
      });
      assert.equal(wrong.status, 403);
      const ok = await fx.request('POST', '/api/auth/refresh', {
        headers: { cookie, 'x-csrf-token': cookies['__Host-conclave-csrf']! },
      });
      assert.equal(ok.status, 200);
    });

    test('refresh() expires with the refresh lifetime', async () => {
      await fx.addUser('late', strongPassword('late'));
      const login = await fx.login('late', strongPassword('late'));
      fx.clock.advance(8 * 3600 * 1000 + 1);
      const res = await fx.request('POST', '/api/auth/refresh', {
        json: { refreshToken: login.body['refreshToken'] },
      });
      assert.equal(res.status, 401);
    });

    test('setRoles() changes the roles of the next tokens, ends current sessions and is audited', async () => {
      await fx.addUser('promoted', strongPassword('pr'));
      const before = await fx.login('promoted', strongPassword('pr'));
      await fx.service.core.accounts.setRoles('promoted', ['organiser', 'member'], 'test-admin');
      assert.equal(
        (
          await fx.request('POST', '/api/auth/refresh', {
            json: { refreshToken: before.body['refreshToken'] },
          })
        ).status,
        401,
      );
      const after = await fx.login('promoted', strongPassword('pr'));
      assert.deepEqual(decodeJwt(after.body['accessToken'] as string)['roles'], ['organiser', 'member']);
      const event = fx.audit.events.find((e) => e.action === 'auth.user.roles');
      assert.deepEqual(event?.details, { before: 'member', after: 'organiser,member' });
    });

    test('logout() and disabling the account revoke the session at once', async () => {
      await fx.addUser('leaver', strongPassword('lv'));
      const a = await fx.login('leaver', strongPassword('lv'));
      const bearer = { authorization: `Bearer ${a.body['accessToken'] as string}` };
      assert.equal((await fx.request('GET', '/api/auth/me', { headers: bearer })).body['username'], 'leaver');
      assert.equal((await fx.request('POST', '/api/auth/logout', { headers: bearer })).status, 204);
      assert.equal((await fx.request('GET', '/api/auth/me', { headers: bearer })).status, 401);
      assert.equal(
        (await fx.request('POST', '/api/auth/refresh', { json: { refreshToken: a.body['refreshToken'] } }))
          .status,
        401,
      );

      const b = await fx.login('leaver', strongPassword('lv'));
      await fx.service.core.accounts.disable('leaver', 'test');
      assert.equal(
        (
          await fx.request('GET', '/api/auth/me', {
            headers: { authorization: `Bearer ${b.body['accessToken'] as string}` },
          })
        ).status,
        401,
      );
      assert.equal(
        (await fx.request('POST', '/api/auth/refresh', { json: { refreshToken: b.body['refreshToken'] } }))
          .status,
        401,
      );
    });
  });

  describe(`brute-force protection (${label})`, () => {
    let fx: AuthFixture;
    before(async () => {
      fx = await start({ config: { throttle: { source: { freeAttempts: 40 } } } });
    });
    after(() => fx.close());

    test('failures back off exponentially, lock the account after 10, and an administrator unlocks it', async () => {
      await fx.addUser('mallory-target', strongPassword('m'));
      const wrong = () => fx.login('mallory-target', 'Not-The-Password-123!');
      for (let i = 0; i < 3; i++) assert.equal((await wrong()).status, 401);
      const delays: number[] = [];
      for (let failure = 3; failure < 10; failure++) {
        const limited = await wrong();
        assert.equal(limited.status, 429);
        assert.equal(limited.body['code'], 'rate_limited');
        const retry = Number(limited.headers.get('retry-after'));
        delays.push(retry);
        fx.clock.advance(retry * 1000);
        assert.equal((await wrong()).status, 401);
      }
      assert.deepEqual(delays, [1, 2, 4, 8, 16, 32, 64]);
      const locked = await fx.login('mallory-target', strongPassword('m'));
      assert.equal(locked.status, 429);
      assert.equal(locked.body['code'], 'account_locked');
      assert.ok(Number(locked.headers.get('retry-after')) > 800);
      assert.ok(fx.audit.events.some((e) => e.action === 'auth.lock'));
      await fx.service.core.accounts.unlock('mallory-target', 'test-admin');
      assert.equal((await fx.login('mallory-target', strongPassword('m'))).status, 200);
      assert.ok(fx.audit.events.some((e) => e.action === 'auth.user.unlock'));
    });

    test('a lock expires on its own after the lock period', async () => {
      await fx.addUser('patient', strongPassword('p'));
      for (let i = 0; i < 10; i++) {
        const res = await fx.login('patient', 'Not-The-Password-123!');
        if (res.status === 429) fx.clock.advance(Number(res.headers.get('retry-after')) * 1000);
        if (res.status === 429) i--;
      }
      assert.equal((await fx.login('patient', strongPassword('p'))).body['code'], 'account_locked');
      fx.clock.advance(15 * 60_000);
      assert.equal((await fx.login('patient', strongPassword('p'))).status, 200);
    });

    test('an unknown user name is throttled exactly like an existing one (no enumeration)', async () => {
      await fx.addUser('real-one', strongPassword('r'));
      const trace = async (username: string) => {
        const out: string[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await fx.login(username, 'Not-The-Password-123!');
          out.push(`${res.status}:${res.body['code'] as string}:${res.headers.get('retry-after') ?? ''}`);
        }
        return out;
      };
      assert.deepEqual(await trace('no-such-user'), await trace('real-one'));
    });

    test('one source address trying many names is slowed down after its free attempts', async () => {
      let limited: { status: number; code: unknown } | undefined;
      for (let i = 0; i < 45 && limited === undefined; i++) {
        const res = await fx.login(`spray-${i}`, 'Not-The-Password-123!');
        if (res.status === 429) limited = { status: res.status, code: res.body['code'] };
      }
      assert.deepEqual(limited, { status: 429, code: 'rate_limited' });
    });
  });

  describe(`throttling under attack (${label}, issue 11 item 13)`, () => {
    const wrong = 'Not-The-Password-123!';

    test('300 parallel guesses from one address let through at most the 20 free attempts and audit one refusal', async () => {
      const fx = await start();
      try {
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) => fx.login(`parallel-${i}`, wrong)),
        );
        const through = results.filter((r) => r.status === 401).length;
        const refused = results.filter((r) => r.status === 429).length;
        assert.equal(through + refused, 300, JSON.stringify(results.map((r) => r.status)));
        assert.ok(through >= 1 && through <= 20, `${through} guesses were checked`);
        const audited = fx.audit.events.filter(
          (e) => e.action === 'auth.login' && e.reason === 'rate_limited',
        );
        assert.equal(audited.length, 1, `${refused} refusals wrote ${audited.length} audit entries`);
        // The throttled period ends; the next refused period is audited once more.
        fx.clock.advance(3_600_000 + 1);
        for (let i = 0; i < 21; i++) await fx.login(`later-${i}`, wrong);
        for (let i = 0; i < 50; i++) assert.equal((await fx.login(`later-x${i}`, wrong)).status, 429);
        assert.equal(
          fx.audit.events.filter((e) => e.action === 'auth.login' && e.reason === 'rate_limited').length,
          2,
        );
      } finally {
        await fx.close();
      }
    });

    test('parallel guesses at one account pass its free attempts at most, and its refusals write one audit entry per period', async () => {
      const fx = await start({
        config: { throttle: { source: { freeAttempts: 1000 }, account: { freeAttempts: 5, lockAfter: 5 } } },
      });
      try {
        await fx.addUser('target', strongPassword('t'));
        const results = await Promise.all(Array.from({ length: 100 }, () => fx.login('target', wrong)));
        assert.ok(results.filter((r) => r.status === 401).length <= 5);
        for (let i = 0; i < 40; i++)
          assert.equal((await fx.login('target', strongPassword('t'))).body['code'], 'account_locked');
        assert.equal(fx.audit.events.filter((e) => e.action === 'auth.lock').length, 1);
        // 135 refusals: at most one entry for the throttled period and one for the locked one.
        const refusals = fx.audit.events.filter(
          (e) => e.reason === 'account_locked' || e.reason === 'rate_limited',
        );
        assert.ok(refusals.length >= 1 && refusals.length <= 2, JSON.stringify(refusals));
      } finally {
        await fx.close();
      }
    });

    test('a forged X-Forwarded-For does not reset the per-address throttle behind a trusted proxy', async () => {
      const fx = await start({
        trustProxy: ['127.0.0.1'],
        config: { throttle: { source: { freeAttempts: 3 } } },
      });
      try {
        // The proxy appends the address it saw; whatever the client wrote before it is not believed.
        const through = async (forged: string) =>
          fx.request('POST', '/api/auth/login', {
            json: { username: `xff-${forged}`, password: wrong },
            headers: { 'x-forwarded-for': `${forged}, 203.0.113.7` },
          });
        const codes: number[] = [];
        for (let i = 0; i < 8; i++) codes.push((await through(`198.51.100.${i}`)).status);
        assert.deepEqual(codes, [401, 401, 401, 429, 429, 429, 429, 429]);
        // Another client behind the same proxy is not affected.
        const other = await fx.request('POST', '/api/auth/login', {
          json: { username: 'xff-other', password: wrong },
          headers: { 'x-forwarded-for': '203.0.113.8' },
        });
        assert.equal(other.status, 401);
      } finally {
        await fx.close();
      }
    });

    test('X-Forwarded-For from a peer that is not a configured proxy is ignored', async () => {
      const fx = await start({
        trustProxy: ['192.0.2.1'],
        config: { throttle: { source: { freeAttempts: 3 } } },
      });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 6; i++) {
          const res = await fx.request('POST', '/api/auth/login', {
            json: { username: `peer-${i}`, password: wrong },
            headers: { 'x-forwarded-for': `198.51.100.${i}` },
          });
          codes.push(res.status);
        }
        assert.deepEqual(codes, [401, 401, 401, 429, 429, 429]);
      } finally {
        await fx.close();
      }
    });
  });

  describe(`directory search of local accounts (${label})`, () => {
    let fx: AuthFixture;
    before(async () => {
      fx = await start();
    });
    after(() => fx.close());

    test('GET /directory matches part of a name whatever its case, and % _ \\ in the text match only themselves', async () => {
      await fx.addUser('searcher', strongPassword('searcher'));
      for (const name of ['Marie.Curie', 'marius', 'pct%user', 'under_score', 'back\\slash'])
        await fx.addUser(name, strongPassword(name));
      const token = (await fx.login('searcher', strongPassword('searcher'))).body['accessToken'] as string;
      const names = async (q: string) => {
        const res = await fx.request('GET', `/api/auth/directory?q=${encodeURIComponent(q)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return (res.body['entries'] as { displayName: string }[]).map((e) => e.displayName).sort();
      };
      assert.deepEqual(await names('MARI'), ['Marie.Curie', 'marius']);
      assert.deepEqual(await names('t%u'), ['pct%user']);
      assert.deepEqual(await names('%%'), []);
      assert.deepEqual(await names('r_s'), ['under_score']);
      assert.deepEqual(await names('__'), []);
      assert.deepEqual(await names('k\\s'), ['back\\slash']);
    });
  });
}
