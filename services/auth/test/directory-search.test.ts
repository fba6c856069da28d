import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { startSlapd, type SlapdFixture } from '@conclave/testing';
import { startAuthFixture, strongPassword, type AuthFixture } from './support/auth-fixture';

const PASSWORD = 'Directory-Password-42!';

let slapd: SlapdFixture;
let fx: AuthFixture;
/** A signed-in local member's access token: any signed-in person may search. */
let token: string;

before(async () => {
  slapd = await startSlapd({
    users: [
      { uid: 'dupont', password: PASSWORD, cn: 'Camille Dupont', groups: ['finance-team'] },
      { uid: 'durand', password: PASSWORD, cn: 'Claude Durand', groups: ['finance-team'] },
      { uid: 'martin', password: PASSWORD, cn: 'Dominique Martin' },
      { uid: 'star*user', password: PASSWORD, cn: 'Star User' },
    ],
    groups: ['finance-board', 'organisers, paris'],
  });
  fx = await startAuthFixture({
    config: {
      ldap: {
        url: slapd.ldapsUrl,
        caFile: slapd.caFile,
        bindDn: slapd.bindDn,
        bindPasswordFile: slapd.bindPasswordFile,
        userBase: slapd.userBase,
        groupBase: slapd.groupBase,
        timeoutMs: 2000,
      },
      login: { sources: ['local', 'ldap'] },
      totp: { requiredForRoles: [] },
      directorySearch: { perMinute: 600 },
    },
  });
  await fx.addUser('searcher', strongPassword('searcher'));
  await fx.addUser('dumas', strongPassword('dumas'));
  token = (await fx.login('searcher', strongPassword('searcher'))).body['accessToken'] as string;
});
after(async () => {
  await fx?.close();
  await slapd?.destroy();
});

function search(query: string, bearer = token) {
  return fx.request('GET', `/api/auth/directory?${query}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
}

type Entry = { kind: string; id: string; displayName: string };
const entriesOf = (body: Record<string, unknown>) => body['entries'] as Entry[];

describe('GET /api/auth/directory', () => {
  test('finds local accounts and directory people by part of their name, with display names only', async () => {
    const res = await search('q=du');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const entries = entriesOf(res.body);
    assert.deepEqual(entries.map((e) => e.displayName).sort(), ['Camille Dupont', 'Claude Durand', 'dumas']);
    assert.ok(entries.every((e) => e.kind === 'user'));
    for (const entry of entries) assert.deepEqual(Object.keys(entry).sort(), ['displayName', 'id', 'kind']);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('the id of a directory person is the one their own sign-in later carries, so an invitation reaches them', async () => {
    const found = entriesOf((await search('q=Dominique&kind=user')).body);
    assert.equal(found.length, 1);
    const claims = decodeJwt((await fx.login('martin', PASSWORD)).body['accessToken'] as string);
    assert.equal(claims.sub, found[0]!.id);
    assert.equal(entriesOf((await search('q=Dominique&kind=user')).body)[0]!.id, found[0]!.id);
  });

  test('kind=group finds directory groups named as the token groups claim names them; kind=user finds none', async () => {
    const groups = entriesOf((await search('q=finance&kind=group')).body);
    assert.deepEqual(groups.map((g) => g.displayName).sort(), ['finance-board', 'finance-team']);
    for (const group of groups) {
      assert.equal(group.kind, 'group');
      assert.match(group.id, /^cn=finance-(board|team),/);
    }
    const claims = decodeJwt((await fx.login('dupont', PASSWORD)).body['accessToken'] as string);
    assert.ok(
      (claims['groups'] as string[]).includes(groups.find((g) => g.displayName === 'finance-team')!.id),
    );
    assert.deepEqual(entriesOf((await search('q=finance&kind=user')).body), []);
  });

  test('an LDAP filter injection finds nothing extra: *, ( and ) in the text match only themselves', async () => {
    for (const q of ['*)(uid=*', '*)(|(objectClass=*', '*', '**', ')(']) {
      const res = await search(`q=${encodeURIComponent(q)}`);
      if (q.length < 2) {
        assert.equal(res.status, 400, q);
        continue;
      }
      assert.equal(res.status, 200, q);
      assert.deepEqual(entriesOf(res.body), [], q);
    }
    const star = entriesOf((await search(`q=${encodeURIComponent('r*u')}`)).body);
    assert.deepEqual(
      star.map((e) => e.displayName),
      ['Star User'],
    );
  });

  test('refuses a text shorter than 2 characters, an unknown kind and a repeated q with 400 bad_request', async () => {
    for (const query of ['q=d', 'q=%20d%20', 'q=du&kind=room', 'q=du&q=da', 'kind=user', 'q=du&extra=1']) {
      const res = await search(query);
      assert.equal(res.status, 400, query);
      assert.equal(res.body['code'], 'bad_request', query);
    }
  });

  test('refuses a caller without a valid access token with 401', async () => {
    const none = await fx.request('GET', '/api/auth/directory?q=du');
    assert.equal(none.status, 401);
    const forged = await search('q=du', `${token.slice(0, -4)}AAAA`);
    assert.equal(forged.status, 401);
  });

  test('searching writes no audit entry but is counted in conclave_auth_directory_searches_total', async () => {
    const before = fx.audit.events.length;
    await search('q=Camille');
    assert.equal(fx.audit.events.length, before);
    const metrics = await (await fetch(`${fx.service.internalUrl}/metrics`)).text();
    assert.match(metrics, /conclave_auth_directory_searches_total\{outcome="ok"\} [1-9]\d*/);
  });
});

describe('GET /api/auth/directory rate limit', () => {
  let limited: AuthFixture;
  before(async () => {
    limited = await startAuthFixture({ config: { directorySearch: { perMinute: 3 } } });
    await limited.addUser('eager', strongPassword('eager'));
  });
  after(() => limited.close());

  test('refuses searches beyond the per-person allowance with 429 rate_limited and Retry-After, until the minute ends', async () => {
    const bearer = (await limited.login('eager', strongPassword('eager'))).body['accessToken'] as string;
    const once = () =>
      limited.request('GET', '/api/auth/directory?q=ea', { headers: { authorization: `Bearer ${bearer}` } });
    for (let i = 0; i < 3; i++) assert.equal((await once()).status, 200);
    const refused = await once();
    assert.equal(refused.status, 429);
    assert.equal(refused.body['code'], 'rate_limited');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    limited.clock.advance(60_000);
    const again = await once();
    assert.equal(again.status, 200);
    assert.deepEqual(entriesOf(again.body), [
      { kind: 'user', id: entriesOf(again.body)[0]!.id, displayName: 'eager' },
    ]);
    const metrics = await (await fetch(`${limited.service.internalUrl}/metrics`)).text();
    assert.match(metrics, /conclave_auth_directory_searches_total\{outcome="rate_limited"\} 1/);
  });
});
