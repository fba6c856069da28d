import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { startSlapd, type SlapdFixture } from '@conclave/testing';
import { base32Decode, totpAt, totpStep, type AuthConfigInput } from '../src/index';
import { startAuthFixture, type AuthFixture } from './support/auth-fixture';

/** Sign-in names with every character that could break a filter or a DN, and non-ASCII letters. */
const AWKWARD = [
  `o'brien (ops)`,
  'star*user',
  'back\\slash',
  'comma, user',
  'Zoë Ørsted',
  'quote"d+eq=ual',
  '#lead',
];
const PASSWORD = 'Directory-Password-42!';

let slapd: SlapdFixture;

function ldapConfig(mode: 'starttls' | 'ldaps', caFile = slapd.caFile): NonNullable<AuthConfigInput['ldap']> {
  return {
    url: mode === 'ldaps' ? slapd.ldapsUrl : slapd.ldapUrl,
    startTls: mode === 'starttls',
    caFile,
    bindDn: slapd.bindDn,
    bindPasswordFile: slapd.bindPasswordFile,
    userBase: slapd.userBase,
    userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
    groupBase: slapd.groupBase,
    roleMap: {
      [slapd.groupDn('conclave-admins')]: ['admin'],
      [slapd.groupDn('organisers, paris')]: ['organiser'],
      [slapd.groupDn('auditors')]: ['security-officer'],
    },
    timeoutMs: 2000,
  };
}

function start(mode: 'starttls' | 'ldaps', caFile?: string): Promise<AuthFixture> {
  return startAuthFixture({
    config: {
      ldap: ldapConfig(mode, caFile),
      totp: { requiredForRoles: [] },
      throttle: { source: { freeAttempts: 1000 }, account: { freeAttempts: 50 } },
    },
  });
}

before(async () => {
  slapd = await startSlapd({
    users: [
      { uid: 'alice', password: PASSWORD, cn: 'Alice Admin', groups: ['conclave-admins'] },
      { uid: 'oscar', password: PASSWORD, cn: 'Oscar Organiser', groups: ['organisers, paris', 'auditors'] },
      { uid: 'plain', password: PASSWORD },
      ...AWKWARD.map((uid) => ({ uid, password: PASSWORD })),
    ],
  });
});
after(() => slapd.destroy());

describe('LDAP over StartTLS', () => {
  let fx: AuthFixture;
  before(async () => {
    fx = await start('starttls');
  });
  after(() => fx.close());

  test('login() with directory credentials issues a token with amr ldap and roles mapped from groups', async () => {
    const alice = await fx.login('alice', PASSWORD);
    assert.equal(alice.status, 200, JSON.stringify(alice.body));
    const claims = decodeJwt(alice.body['accessToken'] as string);
    assert.deepEqual(claims['amr'], ['ldap']);
    assert.equal(claims['name'], 'Alice Admin');
    assert.deepEqual(claims['roles'], ['admin', 'member']);
    const oscar = decodeJwt((await fx.login('oscar', PASSWORD)).body['accessToken'] as string);
    assert.deepEqual(oscar['roles'], ['security-officer', 'organiser', 'member']);
    const plain = decodeJwt((await fx.login('plain', PASSWORD)).body['accessToken'] as string);
    assert.deepEqual(plain['roles'], ['member']);
  });

  test('the access token carries the directory groups, for invitations by group (kept in the minimal profile)', async () => {
    const groupsOf = async (user: string) =>
      decodeJwt((await fx.login(user, PASSWORD)).body['accessToken'] as string)['groups'] as string[];
    const alice = await groupsOf('alice');
    assert.equal(alice.length, 1);
    assert.match(alice[0]!, /^cn=conclave-admins,/i);
    const oscar = await groupsOf('oscar');
    assert.equal(oscar.length, 2);
    assert.ok(
      oscar.some((g) => /^cn=auditors,/i.test(g)) &&
        oscar.some((g) => /^cn=organisers(?:\\,|\\2c) paris,/i.test(g)),
      JSON.stringify(oscar),
    );
    assert.deepEqual(await groupsOf('plain'), []);
  });

  test('login() keeps only a minimal local profile of a directory user', async () => {
    await fx.login('alice', PASSWORD);
    const profile = await fx.service.core.users.findByUsername('ldap', 'alice');
    assert.ok(profile !== null);
    assert.equal(profile.passwordHash, null);
    assert.equal(profile.displayName, 'Alice Admin');
    // Keyed on the entry's entryUUID, not on a name or DN that can be spelt several ways.
    assert.match(profile.externalId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('login() succeeds for names with quotes, parentheses, asterisks, backslashes, commas and non-ASCII letters', async () => {
    for (const uid of AWKWARD) {
      const res = await fx.login(uid, PASSWORD);
      assert.equal(res.status, 200, `${uid}: ${JSON.stringify(res.body)}`);
      assert.equal((await fx.service.core.users.findByUsername('ldap', uid))?.username, uid);
    }
  });

  test('login() refuses filter injection attempts with invalid_credentials, and a NUL byte with 400', async () => {
    for (const username of ['*', '*)(uid=*', 'admin)(|(uid=*', 'alice)(uid=*', '*lice', 'al*']) {
      const res = await fx.login(username, PASSWORD);
      assert.equal(res.status, 401, username);
      assert.equal(res.body['code'], 'invalid_credentials');
    }
    const nul = await fx.login('alice\u0000', PASSWORD);
    assert.equal(nul.status, 400);
    assert.equal(nul.body['code'], 'bad_request');
  });

  test('login() refuses an empty password before any bind, and a wrong one after', async () => {
    const empty = await fx.login('alice', '');
    assert.equal(empty.status, 401);
    assert.equal(empty.body['code'], 'invalid_credentials');
    assert.ok(fx.audit.events.some((e) => e.action === 'auth.login' && e.reason === 'empty_password'));
    const wrong = await fx.login('alice', 'Not-Her-Password-1!');
    assert.deepEqual(wrong.body, empty.body);
    const unknown = await fx.login('nobody', PASSWORD);
    assert.deepEqual(unknown.body, empty.body);
  });

  test('login() answers 503 directory_unavailable while the directory is down, and recovers after', async () => {
    await slapd.stop();
    try {
      const res = await fx.login('plain', PASSWORD);
      assert.equal(res.status, 503);
      assert.equal(res.body['code'], 'directory_unavailable');
      assert.equal(Object.keys(res.body).sort().join(), 'code,message');
    } finally {
      await slapd.start();
    }
    const back = await fx.login('plain', PASSWORD);
    assert.equal(back.status, 200);
    const metrics = await (await fetch(`${fx.service.internalUrl}/metrics`)).text();
    assert.match(metrics, /conclave_auth_ldap_errors_total\{operation="connect"\} [1-9]/);
  });

  test('a local account with the same name takes precedence over the directory (sources: local, ldap)', async () => {
    await fx.addUser('plain', 'Local-Password-Only-7!', ['organiser']);
    const local = await fx.login('plain', 'Local-Password-Only-7!');
    assert.deepEqual(decodeJwt(local.body['accessToken'] as string)['amr'], ['pwd']);
    assert.equal((await fx.login('plain', PASSWORD)).status, 401);
  });
});

describe('LDAP look-alike sign-in names (issue 11, item 12)', () => {
  let fx: AuthFixture;
  before(async () => {
    fx = await startAuthFixture({
      config: {
        ldap: ldapConfig('starttls'),
        totp: { requiredForRoles: [] },
        throttle: {
          source: { freeAttempts: 1000 },
          account: { freeAttempts: 3, baseDelayMs: 100, lockAfter: 5 },
        },
      },
    });
  });
  after(() => fx.close());

  const ldapProfiles = async () =>
    (await fx.service.core.db.query(`SELECT username FROM auth_users WHERE source = 'ldap'`)) as {
      username: string;
    }[];

  test('login() as "alice ", " alice" or "ALICE" still needs the TOTP alice enrolled, and makes no second profile', async () => {
    const first = await fx.login('alice', PASSWORD);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const bearer = { authorization: `Bearer ${first.body['accessToken'] as string}` };
    const enrol = await fx.request('POST', '/api/auth/totp/enrol', {
      headers: bearer,
      json: { password: PASSWORD },
    });
    assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
    const secret = base32Decode(enrol.body['secret'] as string);
    const code = totpAt(secret, totpStep(fx.clock.now(), 30));
    const confirm = await fx.request('POST', '/api/auth/totp/confirm', { headers: bearer, json: { code } });
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));

    for (const spelling of ['alice ', ' alice', 'alice\t', '\u00a0alice']) {
      const res = await fx.login(spelling, PASSWORD);
      assert.equal(res.status, 400, `${JSON.stringify(spelling)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body['code'], 'bad_request');
    }
    const upper = await fx.login('ALICE', PASSWORD);
    assert.equal(upper.status, 401, JSON.stringify(upper.body));
    assert.equal(upper.body['code'], 'totp_required');
    assert.deepEqual(
      (await ldapProfiles()).filter((p) => p.username.toLowerCase().includes('alice')),
      [{ username: 'alice' }],
    );
  });

  test('login() as "OSCAR" of a disabled directory user is refused like any wrong password', async () => {
    assert.equal((await fx.login('oscar', PASSWORD)).status, 200);
    await fx.service.core.accounts.disable('oscar', 'test');
    for (const spelling of ['oscar', 'OSCAR', 'Oscar']) {
      const res = await fx.login(spelling, PASSWORD);
      assert.equal(res.status, 401, spelling);
      assert.equal(res.body['code'], 'invalid_credentials');
    }
    for (const spelling of ['oscar ', ' OSCAR'])
      assert.equal((await fx.login(spelling, PASSWORD)).status, 400);
    assert.ok(
      fx.audit.events.some(
        (e) => e.action === 'auth.login' && e.reason === 'disabled' && e.outcome === 'failure',
      ),
    );
  });

  test('login() counts failures of every spelling the directory matches against one throttle, and the lock holds for all', async () => {
    // The directory matches ignoring case and runs of inner spaces (RFC 4518 §2.6.1).
    const spellings = ['Zoë Ørsted', 'ZOË  ØRSTED', 'zoë   ørsted', 'Zoë    Ørsted', 'ZoË     ØrSted'];
    for (const [i, spelling] of spellings.entries()) {
      fx.clock.advance(60_000);
      const res = await fx.login(spelling, 'Wrong-Password-99!');
      assert.equal(res.status, 401, `${i}: ${JSON.stringify(res.body)}`);
    }
    fx.clock.advance(60_000);
    for (const spelling of ['Zoë Ørsted', 'zoë      ørsted']) {
      const res = await fx.login(spelling, PASSWORD);
      assert.equal(res.status, 429, `${spelling}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body['code'], 'account_locked');
    }
    assert.equal(fx.audit.events.filter((e) => e.action === 'auth.lock').length, 1);
  });
});

describe('LDAP over LDAPS', () => {
  test('login() works over LDAPS verifying the server against the configured CA', async () => {
    const fx = await start('ldaps');
    try {
      const res = await fx.login('oscar', PASSWORD);
      assert.equal(res.status, 200);
    } finally {
      await fx.close();
    }
  });

  test('login() refuses to talk to a directory whose certificate does not chain to the configured CA', async () => {
    for (const mode of ['ldaps', 'starttls'] as const) {
      const fx = await start(mode, slapd.otherCaFile);
      try {
        const res = await fx.login('oscar', PASSWORD);
        assert.equal(res.status, 503, mode);
        assert.equal(res.body['code'], 'directory_unavailable');
      } finally {
        await fx.close();
      }
    }
  });
});
