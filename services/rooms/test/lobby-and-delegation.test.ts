import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPostgres, type PostgresFixture } from '@conclave/testing';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

const HOUR = 3_600_000;

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`lobby refusal, what invitees see, delegation (${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let rooms: RoomsFixture;
    let pg: PostgresFixture | undefined;
    const sfu = new RecordingSfu();
    const tokens: Record<string, string> = {};
    const as = (user: string) => tokens[user]!;

    before(async () => {
      if (engine === 'postgres') pg = await startPostgres('rooms_lobby_delegation');
      rooms = await startRooms({
        sfu,
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
      for (const user of ['bob', 'carol', 'dave', 'pat']) tokens[user] = await rooms.tokens.token(user);
      tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'] });
    });
    after(async () => {
      await rooms.close();
      await pg?.stop();
    });

    const schedule = async (overrides: Record<string, unknown> = {}) => {
      const response = await rooms.api('POST', '/meetings', as('alice'), {
        title: 'Cellule de crise',
        startsAt: new Date(Date.now() + HOUR).toISOString(),
        endsAt: new Date(Date.now() + 2 * HOUR).toISOString(),
        timeZone: 'Europe/Paris',
        coOrganisers: ['bob'],
        invitees: ['carol', 'dave', 'pat'],
        classification: 'Diffusion restreinte',
        ...overrides,
      });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body.id as string;
    };
    const join = (id: string, user: string) => rooms.api('POST', `/meetings/${id}/join`, as(user));
    const listed = async (user: string, id: string) =>
      ((await rooms.api('GET', '/meetings', as(user))).body as { id: string }[]).find((m) => m.id === id) as
        { title: string | null; classification: string | null } | undefined;

    test('POST /join after a lobby refusal is refused with 403 lobby_refused every time; the refused person never reappears in the lobby', async () => {
      const id = await schedule();
      const dave = (await join(id, 'dave')).body.participantId as string;
      const refused = await rooms.api('POST', `/meetings/${id}/lobby/refuse`, as('alice'), {
        participantIds: [dave],
      });
      assert.equal(refused.status, 200);
      for (let attempt = 0; attempt < 3; attempt++) {
        const again = await join(id, 'dave');
        assert.deepEqual([again.status, again.body.code], [403, 'lobby_refused']);
      }
      const lobby = await rooms.api('GET', `/meetings/${id}/lobby`, as('alice'));
      assert.deepEqual(lobby.body, []);
      const rows = (await rooms.server.dataSource.query(
        `SELECT COUNT(*) AS n FROM participants WHERE meeting_id = '${id}' AND user_id = 'dave'`,
      )) as { n: string }[];
      assert.equal(Number(rows[0]!.n), 1, 'no new session was stored');
    });

    test('GET /meetings shows an invitee facing the lobby, waiting or refused neither title nor label, an admitted one both, the organiser both', async () => {
      const id = await schedule();
      const beforeJoining = await listed('carol', id);
      assert.deepEqual([beforeJoining?.title, beforeJoining?.classification], [null, null]);
      const carol = (await join(id, 'carol')).body.participantId as string;
      const dave = (await join(id, 'dave')).body.participantId as string;
      const waiting = await listed('carol', id);
      assert.deepEqual([waiting?.title, waiting?.classification], [null, null]);
      await rooms.api('POST', `/meetings/${id}/lobby/refuse`, as('alice'), { participantIds: [dave] });
      const refused = await listed('dave', id);
      assert.deepEqual([refused?.title, refused?.classification], [null, null]);
      await rooms.api('POST', `/meetings/${id}/lobby/admit`, as('alice'), { participantIds: [carol] });
      const admitted = await listed('carol', id);
      assert.deepEqual(
        [admitted?.title, admitted?.classification],
        ['Cellule de crise', 'Diffusion restreinte'],
      );
      const organiser = await listed('alice', id);
      assert.deepEqual(
        [organiser?.title, organiser?.classification],
        ['Cellule de crise', 'Diffusion restreinte'],
      );
      const noLobby = await schedule({ lobby: false });
      assert.equal((await listed('pat', noLobby))?.title, 'Cellule de crise', 'no lobby: nothing to hide');
    });

    test('a participant promoted during the meeting gets 403 organiser_protected on the organiser and a scheduled co-organiser (nothing changed, audited); it can still remove a participant', async () => {
      const id = await schedule({ lobby: false });
      const alice = (await join(id, 'alice')).body.participantId as string;
      const bob = (await join(id, 'bob')).body.participantId as string;
      const pat = (await join(id, 'pat')).body.participantId as string;
      const dave = (await join(id, 'dave')).body.participantId as string;
      const promoted = await rooms.api('POST', `/meetings/${id}/participants/${pat}/promote`, as('alice'));
      assert.equal(promoted.body.role, 'co-organiser');
      const callsBefore = sfu.calls.length;
      for (const [target, route, body] of [
        [alice, 'remove', undefined],
        [bob, 'remove', undefined],
        [alice, 'mute', {}],
        [bob, 'camera', { allowed: false }],
        [alice, 'share', { allowed: false }],
      ] as const) {
        const response = await rooms.api(
          route === 'camera' || route === 'share' ? 'PUT' : 'POST',
          `/meetings/${id}/participants/${target}/${route}`,
          as('pat'),
          body,
        );
        assert.deepEqual([response.status, response.body.code], [403, 'organiser_protected'], route);
      }
      assert.equal(sfu.calls.length, callsBefore, 'the SFU was asked nothing');
      const participants = await rooms.api('GET', `/meetings/${id}/participants`, as('alice'));
      const state = (pid: string) =>
        (participants.body as { participantId: string; state: string; rights: string[] }[]).find(
          (p) => p.participantId === pid,
        );
      assert.deepEqual(
        [state(alice)?.state, state(bob)?.rights.includes('produce:video')],
        ['admitted', true],
      );
      await rooms.server.meetings.store.denials.flush(true);
      const denials = (await rooms.server.dataSource.query(
        `SELECT details FROM audit_entries WHERE action = 'room.power.denied' AND reason = 'organiser_protected' AND actor = 'pat' ORDER BY sequence`,
      )) as { details: string }[];
      assert.deepEqual(
        denials.map((d) => (JSON.parse(d.details) as { repeated?: number }).repeated ?? 1),
        [1, 4],
        'the five refusals are audited: the first, then the count of its repeats',
      );
      const removed = await rooms.api('POST', `/meetings/${id}/participants/${dave}/remove`, as('pat'));
      assert.deepEqual([removed.status, removed.body.state], [200, 'removed']);
      const ended = await rooms.api('POST', `/meetings/${id}/end`, as('alice'));
      assert.deepEqual(
        [ended.status, ended.body.status],
        [200, 'ended'],
        'the owner can still end her meeting',
      );
    });

    test('a co-organiser named at scheduling may still remove the organiser (the delegation the organiser chose)', async () => {
      const id = await schedule({ lobby: false });
      const alice = (await join(id, 'alice')).body.participantId as string;
      await join(id, 'bob');
      const removed = await rooms.api('POST', `/meetings/${id}/participants/${alice}/remove`, as('bob'));
      assert.deepEqual([removed.status, removed.body.state], [200, 'removed']);
    });

    test('promoting a co-organiser named at scheduling does not lower its authority', async () => {
      const id = await schedule({ lobby: false });
      const alice = (await join(id, 'alice')).body.participantId as string;
      const bob = (await join(id, 'bob')).body.participantId as string;
      const promoted = await rooms.api('POST', `/meetings/${id}/participants/${bob}/promote`, as('alice'));
      assert.equal(promoted.status, 200);
      const muted = await rooms.api('POST', `/meetings/${id}/participants/${alice}/mute`, as('bob'), {});
      assert.equal(muted.status, 200);
    });
  });
}
