import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPostgres, type PostgresFixture } from '@conclave/testing';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`rooms API rate limits and aggregated refusals (${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let rooms: RoomsFixture;
    let pg: PostgresFixture | undefined;
    const tokens: Record<string, string> = {};

    before(async () => {
      if (engine === 'postgres') pg = await startPostgres('rooms_rate_limit');
      rooms = await startRooms({
        sfu: new RecordingSfu(),
        config: {
          rateLimit: { userBurst: 20, userPerSecond: 1, sourceBurst: 10_000, sourcePerSecond: 1000 },
        },
        ...(pg
          ? {
              database: () => ({
                type: 'postgres' as const,
                host: pg!.host,
                port: pg!.port,
                database: pg!.database,
                username: pg!.username,
                poolSize: 5,
              }),
            }
          : {}),
      });
      tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'] });
      tokens.dave = await rooms.tokens.token('dave');
    });
    after(async () => {
      await rooms.close();
      await pg?.stop();
    });

    test('200 refused power calls by one user: 429 rate_limited past its limit, and at most 2 audit entries (the first refusal, then one with the count)', async () => {
      const created = await rooms.api('POST', '/meetings/instant', tokens.alice, {
        title: 'Point hebdo',
        timeZone: 'Europe/Paris',
        invitees: ['dave'],
      });
      assert.equal(created.status, 201);
      const id = created.body.id as string;
      const denied = async () =>
        Number(
          (
            (await rooms.server.dataSource.query(
              `SELECT COUNT(*) AS n FROM audit_entries WHERE actor = 'dave' AND action = 'room.power.denied'`,
            )) as { n: string }[]
          )[0]!.n,
        );
      const startedAt = Date.now();
      const responses = await Promise.all(
        Array.from({ length: 200 }, () => rooms.api('POST', `/meetings/${id}/lock`, tokens.dave)),
      );
      // The burst of 20, plus what the bucket refilled at 1/s while the calls were being answered.
      const allowed = 20 + Math.ceil((Date.now() - startedAt) / 1000);
      const statuses = responses.map((r) => r.status);
      const forbidden = statuses.filter((s) => s === 403).length;
      const limited = responses.filter((r) => r.status === 429);
      assert.equal(forbidden + limited.length, 200, JSON.stringify(statuses));
      assert.ok(forbidden <= allowed, `${forbidden} calls got through the limit of ${allowed}`);
      assert.ok(limited.every((r) => r.body.code === 'rate_limited'));
      assert.equal(await denied(), 1, 'only the first refusal is written at once');

      const other = await rooms.api('POST', `/meetings/${id}/lock`, tokens.alice);
      assert.equal(other.status, 200, 'the limit is per user: the organiser is not slowed down');

      await rooms.server.meetings.store.denials.flush(true);
      assert.equal(await denied(), 2);
      const [summary] = (await rooms.server.dataSource.query(
        `SELECT details FROM audit_entries WHERE actor = 'dave' AND action = 'room.power.denied' ORDER BY sequence DESC`,
      )) as { details: string }[];
      assert.equal((JSON.parse(summary!.details) as { repeated: number }).repeated, forbidden - 1);
      assert.equal((await rooms.server.audit.verify()).ok, true);
    });
  });
}

describe('rooms API per-source limit', () => {
  let rooms: RoomsFixture;
  before(async () => {
    rooms = await startRooms({
      sfu: new RecordingSfu(),
      config: { rateLimit: { sourceBurst: 30, sourcePerSecond: 1 } },
    });
  });
  after(async () => {
    await rooms.close();
  });

  test('requests from one address past its limit get 429 rate_limited with Retry-After, before authentication and on the public JWKS too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await rooms.api('GET', '/meetings')).status);
    assert.deepEqual([...new Set(statuses.slice(0, 30))], [401]);
    assert.deepEqual([...new Set(statuses.slice(31))], [429]);
    const jwks = await fetch(`${rooms.url}/.well-known/jwks.json`);
    assert.equal(jwks.status, 429);
    assert.ok(Number(jwks.headers.get('retry-after')) >= 1);
    assert.equal(((await jwks.json()) as { code: string }).code, 'rate_limited');
  });
});

describe('rooms API per-source limit behind a configured proxy', () => {
  let rooms: RoomsFixture;
  before(async () => {
    // The only proxy believed is 10.9.9.9: a client on 127.0.0.1 writing X-Forwarded-For is not one.
    rooms = await startRooms({
      sfu: new RecordingSfu(),
      config: {
        http: { host: '127.0.0.1', port: 0, trustProxy: ['10.9.9.9'] },
        rateLimit: { sourceBurst: 30, sourcePerSecond: 1 },
      },
    });
  });
  after(async () => {
    await rooms.close();
  });

  test('a client forging a new X-Forwarded-For on every request still hits its per-source limit (429 rate_limited)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${rooms.url}/meetings`, {
        headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.deepEqual([...new Set(statuses.slice(0, 30))], [401]);
    assert.deepEqual([...new Set(statuses.slice(31))], [429], 'the forged addresses did not reset the limit');
  });
});
