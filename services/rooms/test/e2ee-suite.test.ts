import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { E2EE_SUITES, joinTicketClaimsSchema, type E2eeSuite } from '@conclave/protocol';
import { openDataSource, type DatabaseConfig } from '@conclave/server-kit';
import { startPostgres, type PostgresFixture } from '@conclave/testing';
import { Meetings1764000100000 } from '../migrations/1764000100000-meetings';
import { AUDIT_MIGRATIONS } from '../src/audit-lib';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

const HOUR = 3_600_000;

/** The meeting's MLS suite (its E2EE security setting): chosen at creation, shown, audited, carried in tickets. */
for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`meeting E2EE suite on ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
    let rooms: RoomsFixture;
    let pg: PostgresFixture | undefined;
    const sfu = new RecordingSfu();
    let alice: string;
    let carol: string;

    const postgresConfig = (database: string): DatabaseConfig => ({
      type: 'postgres',
      host: pg!.host,
      port: pg!.port,
      database,
      username: pg!.username,
      poolSize: 5,
    });

    before(async () => {
      if (engine === 'postgres') pg = await startPostgres('rooms_e2ee_suite');
      rooms = await startRooms({ sfu, ...(pg ? { database: () => postgresConfig(pg!.database) } : {}) });
      alice = await rooms.tokens.token('alice', { roles: ['organiser'], name: 'Alice' });
      carol = await rooms.tokens.token('carol');
    });
    after(async () => {
      await rooms.close();
      await pg?.stop();
    });

    const scheduleBody = (overrides: Record<string, unknown> = {}) => ({
      title: 'Comité de sécurité',
      startsAt: new Date(Date.now() + HOUR).toISOString(),
      endsAt: new Date(Date.now() + 2 * HOUR).toISOString(),
      timeZone: 'Europe/Paris',
      invitees: ['carol'],
      ...overrides,
    });
    const create = async (path: '/meetings' | '/meetings/instant', body: Record<string, unknown>) => {
      const response = await rooms.api('POST', path, alice, body);
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body as { id: string; e2eeSuite: string };
    };
    const count = async (sql: string) =>
      Number(((await rooms.server.dataSource.query(sql)) as { n: string }[])[0]!.n);
    const creations = () =>
      count("SELECT COUNT(*) AS n FROM audit_entries WHERE action IN ('room.create', 'room.schedule')");

    test('a meeting uses aes256 unless xwing-pq is chosen; the suite is stored and shown in views and lists', async () => {
      const scheduledDefault = await create('/meetings', scheduleBody());
      const instantDefault = await create('/meetings/instant', { title: 'Point' });
      const scheduledPq = await create('/meetings', scheduleBody({ e2eeSuite: 'xwing-pq' }));
      const instantPq = await create('/meetings/instant', { title: 'Point', e2eeSuite: 'xwing-pq' });
      const explicitAes = await create('/meetings/instant', { title: 'Point', e2eeSuite: 'aes256' });
      const expected = new Map<string, E2eeSuite>([
        [scheduledDefault.id, 'aes256'],
        [instantDefault.id, 'aes256'],
        [scheduledPq.id, 'xwing-pq'],
        [instantPq.id, 'xwing-pq'],
        [explicitAes.id, 'aes256'],
      ]);
      for (const [created, suite] of [
        [scheduledDefault, 'aes256'],
        [instantDefault, 'aes256'],
        [scheduledPq, 'xwing-pq'],
        [instantPq, 'xwing-pq'],
        [explicitAes, 'aes256'],
      ] as const) {
        assert.equal(created.e2eeSuite, suite, 'creation answer');
        const fetched = await rooms.api('GET', `/meetings/${created.id}`, alice);
        assert.equal(fetched.body.e2eeSuite, suite, 'GET /meetings/{id} reads it back from the database');
      }
      const listed = (await rooms.api('GET', '/meetings', alice)).body as { id: string; e2eeSuite: string }[];
      for (const [id, suite] of expected)
        assert.equal(listed.find((m) => m.id === id)?.e2eeSuite, suite, 'GET /meetings');
      const all = await rooms.server.meetings.scheduling.listAll();
      for (const [id, suite] of expected)
        assert.equal(all.find((m) => m.id === id)?.e2eeSuite, suite, 'listAll');
    });

    test('an unknown or malformed suite is refused with 400 bad_request naming e2eeSuite; nothing is stored or audited', async () => {
      const meetingsBefore = await count('SELECT COUNT(*) AS n FROM meetings');
      const creationsBefore = await creations();
      for (const e2eeSuite of [
        'aes128',
        'XWING-PQ',
        'xwing',
        '',
        ' aes256',
        null,
        7,
        true,
        ['aes256'],
        { suite: 'aes256' },
      ]) {
        for (const [path, body] of [
          ['/meetings', scheduleBody({ e2eeSuite })],
          ['/meetings/instant', { title: 'Point', e2eeSuite }],
        ] as const) {
          const response = await rooms.api('POST', path, alice, body);
          assert.deepEqual(
            [response.status, response.body.code],
            [400, 'bad_request'],
            `${path} ${JSON.stringify(e2eeSuite)}`,
          );
          assert.match(response.body.message, /^e2eeSuite: /);
        }
      }
      assert.equal(await count('SELECT COUNT(*) AS n FROM meetings'), meetingsBefore);
      assert.equal(await creations(), creationsBefore);
    });

    test('every join ticket carries the meeting’s suite as mls_suite, for each suite', async () => {
      const jwks = createLocalJWKSet((await rooms.api('GET', '/.well-known/jwks.json')).body);
      for (const suite of E2EE_SUITES) {
        const { id } = await create('/meetings/instant', {
          title: 'Point',
          invitees: ['carol'],
          lobby: false,
          e2eeSuite: suite,
        });
        for (const token of [alice, carol]) {
          const joined = await rooms.api('POST', `/meetings/${id}/join`, token);
          assert.equal(joined.body.state, 'admitted');
          const issued = await rooms.api(
            'POST',
            `/meetings/${id}/participants/${joined.body.participantId}/ticket`,
            token,
          );
          assert.equal(issued.status, 200, JSON.stringify(issued.body));
          const { payload } = await jwtVerify(issued.body.ticket, jwks, {
            issuer: 'conclave-rooms',
            audience: 'conclave-sfu',
          });
          const claims = joinTicketClaimsSchema.parse(payload);
          assert.deepEqual([claims.room, claims.mls_suite], [id, suite]);
        }
      }
    });

    test('the creation audit entry records the chosen suite', async () => {
      const scheduled = await create('/meetings', scheduleBody({ e2eeSuite: 'xwing-pq' }));
      const instant = await create('/meetings/instant', { title: 'Point' });
      const rows = (await rooms.server.dataSource.query(
        "SELECT action, target, details FROM audit_entries WHERE action IN ('room.create', 'room.schedule')",
      )) as { action: string; target: string; details: string }[];
      const detailsOf = (id: string) => {
        const row = rows.find((r) => r.target === id);
        assert.ok(row !== undefined, `an audit entry for ${id}`);
        return { action: row.action, details: JSON.parse(row.details) as Record<string, unknown> };
      };
      assert.deepEqual(
        [detailsOf(scheduled.id).action, detailsOf(scheduled.id).details.e2eeSuite],
        ['room.schedule', 'xwing-pq'],
      );
      assert.deepEqual(
        [detailsOf(instant.id).action, detailsOf(instant.id).details.e2eeSuite],
        ['room.create', 'aes256'],
      );
      const verified = await rooms.server.audit.verify();
      assert.equal(verified.ok, true, JSON.stringify(verified.firstBad));
    });

    test('meetings stored before the setting existed get aes256 on upgrade, with their members and participants intact', async () => {
      const meetingId = 'Up9radedMeetingAAAAAAA';
      const participantId = 'pUpgradedCarol000';
      const now = Date.now();
      /** A database at the schema before the suite column, holding one live meeting. */
      const previousSchema = async (config: DatabaseConfig): Promise<DatabaseConfig> => {
        const old = await openDataSource(config, [], [...AUDIT_MIGRATIONS, Meetings1764000100000]);
        try {
          await old.query(
            'INSERT INTO meetings (id, kind, title, starts_at_ms, ends_at_ms, time_zone, organiser_id, classification, lobby, knock, locked, status, created_at_ms, ended_at_ms) ' +
              `VALUES ('${meetingId}', 'instant', 'Avant', ${now}, ${now + HOUR}, 'UTC', 'alice', NULL, false, false, false, 'live', ${now}, NULL)`,
          );
          await old.query(
            'INSERT INTO meeting_members (meeting_id, principal, role, auto_admit) ' +
              `VALUES ('${meetingId}', 'user:bob', 'co-organiser', false), ('${meetingId}', 'user:carol', 'invitee', false)`,
          );
          await old.query(
            'INSERT INTO participants (id, meeting_id, user_id, display_name, state, rights, created_at_ms, updated_at_ms) ' +
              `VALUES ('${participantId}', '${meetingId}', 'carol', 'Carol', 'admitted', 'produce:audio,produce:video,consume,chat', ${now}, ${now})`,
          );
        } finally {
          await old.destroy();
        }
        return config;
      };
      if (pg !== undefined) await pg.createDatabase('rooms_e2ee_suite_upgrade');
      const upgraded = await startRooms({
        sfu: new RecordingSfu(),
        database: (dir) =>
          previousSchema(
            pg !== undefined
              ? postgresConfig('rooms_e2ee_suite_upgrade')
              : { type: 'sqlite', path: join(dir, 'rooms.db') },
          ),
      });
      try {
        const organiser = await upgraded.tokens.token('alice', { roles: ['organiser'] });
        const meeting = await upgraded.api('GET', `/meetings/${meetingId}`, organiser);
        assert.equal(meeting.status, 200, JSON.stringify(meeting.body));
        assert.deepEqual(
          [meeting.body.e2eeSuite, meeting.body.coOrganisers, meeting.body.invitees],
          ['aes256', ['bob'], ['carol']],
        );
        const issued = await upgraded.api(
          'POST',
          `/meetings/${meetingId}/participants/${participantId}/ticket`,
          await upgraded.tokens.token('carol'),
        );
        assert.equal(issued.status, 200, JSON.stringify(issued.body));
        const claims = JSON.parse(Buffer.from(issued.body.ticket.split('.')[1], 'base64url').toString()) as {
          mls_suite: string;
        };
        assert.equal(claims.mls_suite, 'aes256');
        const created = await upgraded.api('POST', '/meetings/instant', organiser, {
          title: 'Après',
          e2eeSuite: 'xwing-pq',
        });
        assert.equal(created.body.e2eeSuite, 'xwing-pq', 'the new column takes the chosen suite');
      } finally {
        await upgraded.close();
      }
    });
  });
}
