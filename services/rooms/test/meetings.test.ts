import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { joinTicketClaimsSchema } from '@conclave/protocol';
import { startPostgres, type PostgresFixture } from '@conclave/testing';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

const HOUR = 3_600_000;

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`rooms service on ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`, () => {
    let rooms: RoomsFixture;
    let pg: PostgresFixture | undefined;
    const sfu = new RecordingSfu();
    /** The SFU's last call without its powers version, which must be above every earlier one of its meeting. */
    const lastCall = () => {
      const { version, ...call } = sfu.calls.at(-1)!;
      const earlier = sfu.calls
        .slice(0, -1)
        .filter((c) => c.meetingId === call.meetingId)
        .map((c) => Number(c.version));
      assert.ok(typeof version === 'number' && earlier.every((v) => v < version), 'versions increase');
      return call;
    };
    const tokens: Record<string, string> = {};
    const as = (user: string) => tokens[user]!;

    before(async () => {
      if (engine === 'postgres') pg = await startPostgres('rooms_meetings');
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
      for (const user of ['bob', 'carol', 'dave', 'eve', 'mallory'])
        tokens[user] = await rooms.tokens.token(user);
      tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'], name: 'Alice' });
      tokens.admin = await rooms.tokens.token('root', { roles: ['admin'] });
      tokens.grouped = await rooms.tokens.token('gina', { groups: ['ops'] });
    });
    after(async () => {
      await rooms.close();
      await pg?.stop();
    });

    const schedule = async (overrides: Record<string, unknown> = {}) => {
      const response = await rooms.api('POST', '/meetings', as('alice'), {
        title: 'Comité de pilotage',
        startsAt: new Date(Date.now() + HOUR).toISOString(),
        endsAt: new Date(Date.now() + 2 * HOUR).toISOString(),
        timeZone: 'Europe/Paris',
        coOrganisers: ['bob'],
        invitees: ['carol', 'dave'],
        groups: ['ops'],
        classification: 'Diffusion restreinte',
        ...overrides,
      });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body as { id: string };
    };
    const join = async (meetingId: string, user: string) =>
      rooms.api('POST', `/meetings/${meetingId}/join`, as(user));
    const count = async (table: string) =>
      Number(
        ((await rooms.server.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: string }[])[0]!
          .n,
      );

    test('POST /meetings schedules a meeting with an unguessable id, co-organisers, invitees, groups and a label', async () => {
      const meeting = (await schedule()) as Record<string, unknown>;
      assert.match(meeting.id as string, /^[A-Za-z0-9_-]{22}$/);
      assert.deepEqual(
        {
          coOrganisers: meeting.coOrganisers,
          invitees: meeting.invitees,
          groups: meeting.groups,
          classification: meeting.classification,
          lobby: meeting.lobby,
          locked: meeting.locked,
        },
        {
          coOrganisers: ['bob'],
          invitees: ['carol', 'dave'],
          groups: ['ops'],
          classification: 'Diffusion restreinte',
          lobby: true,
          locked: false,
        },
      );
      assert.notEqual((await schedule()).id, meeting.id);
    });

    test('POST /meetings by a member without the organiser role is refused with 403 role_missing and stores nothing', async () => {
      const before = await count('meetings');
      const response = await rooms.api('POST', '/meetings/instant', as('carol'), { title: 'x' });
      assert.deepEqual([response.status, response.body.code], [403, 'role_missing']);
      assert.equal(await count('meetings'), before);
    });

    test('requests without a valid access token are refused with 401', async () => {
      assert.equal((await rooms.api('GET', '/meetings')).status, 401);
      assert.equal((await rooms.api('GET', '/meetings', 'not.a.jwt')).body.code, 'invalid_token');
      const forged = await rooms.tokens.token('alice', { roles: ['organiser'], issuer: 'someone-else' });
      assert.equal((await rooms.api('GET', '/meetings', forged)).status, 401);
      const tooLong = await rooms.tokens.token('alice', { lifetime: 3600 });
      assert.equal((await rooms.api('GET', '/meetings', tooLong)).body.code, 'invalid_token');
    });

    test('join by a signed-in person who is not invited is refused with 403 not_invited; the link alone lets nobody in', async () => {
      const { id } = await schedule();
      const response = await join(id, 'eve');
      assert.deepEqual([response.status, response.body.code], [403, 'not_invited']);
      assert.equal((await rooms.api('GET', `/meetings/${id}`, as('eve'))).body.code, 'not_invited');
      assert.equal((await join('AAAAAAAAAAAAAAAAAAAAAA', 'eve')).status, 404);
    });

    test('an invitee waits in the lobby and sees nothing of the meeting until admitted', async () => {
      const { id } = await schedule();
      const waiting = await join(id, 'carol');
      assert.deepEqual(Object.keys(waiting.body).sort(), ['participantId', 'state']);
      assert.equal(waiting.body.state, 'waiting');
      assert.equal((await rooms.api('GET', `/meetings/${id}`, as('carol'))).body.code, 'not_admitted');
      assert.equal(
        (await rooms.api('GET', `/meetings/${id}/participants`, as('carol'))).body.code,
        'not_admitted',
      );
      const own = await rooms.api(
        'GET',
        `/meetings/${id}/participants/${waiting.body.participantId}`,
        as('carol'),
      );
      assert.deepEqual(own.body, { participantId: waiting.body.participantId, state: 'waiting' });
      const ticket = await rooms.api(
        'POST',
        `/meetings/${id}/participants/${waiting.body.participantId}/ticket`,
        as('carol'),
      );
      assert.deepEqual([ticket.status, ticket.body.code], [403, 'not_admitted']);
    });

    test('organisers admit one by one or all; refused people get no ticket', async () => {
      const { id } = await schedule();
      const organiser = await join(id, 'alice');
      assert.equal(organiser.body.state, 'admitted');
      assert.deepEqual(organiser.body.meeting.classification, 'Diffusion restreinte');
      const carol = (await join(id, 'carol')).body.participantId;
      const dave = (await join(id, 'dave')).body.participantId;
      const gina = (await join(id, 'grouped')).body.participantId;
      const lobby = await rooms.api('GET', `/meetings/${id}/lobby`, as('alice'));
      assert.deepEqual(
        lobby.body.map((p: { participantId: string }) => p.participantId).sort(),
        [carol, dave, gina].sort(),
      );
      assert.equal((await rooms.api('GET', `/meetings/${id}/lobby`, as('carol'))).body.code, 'not_organiser');
      const admitted = await rooms.api('POST', `/meetings/${id}/lobby/admit`, as('alice'), {
        participantIds: [carol],
      });
      assert.equal(admitted.status, 200);
      assert.equal(
        (await rooms.api('POST', `/meetings/${id}/lobby/refuse`, as('bob'), { participantIds: [dave] }))
          .status,
        200,
      );
      assert.equal(
        (await rooms.api('POST', `/meetings/${id}/lobby/admit`, as('alice'), { all: true })).body.length,
        1,
      );
      assert.equal(
        (await rooms.api('GET', `/meetings/${id}`, as('carol'))).body.classification,
        'Diffusion restreinte',
      );
      const refused = await rooms.api('POST', `/meetings/${id}/participants/${dave}/ticket`, as('dave'));
      assert.deepEqual([refused.status, refused.body.code], [403, 'not_admitted']);
    });

    test('a ticket is issued only to an admitted participant, for its own session, with its rights, verifiable with the JWKS', async () => {
      const { id } = await instantWithLobbyOff();
      const carol = (await join(id, 'carol')).body;
      assert.equal(carol.state, 'admitted');
      assert.deepEqual(carol.rights, ['produce:audio', 'produce:video', 'consume', 'chat']);
      assert.equal(
        (await rooms.api('POST', `/meetings/${id}/participants/${carol.participantId}/ticket`, as('dave')))
          .status,
        404,
      );
      const issued = await rooms.api(
        'POST',
        `/meetings/${id}/participants/${carol.participantId}/ticket`,
        as('carol'),
      );
      assert.equal(issued.status, 200);
      const jwks = (await rooms.api('GET', '/.well-known/jwks.json')).body;
      assert.deepEqual(jwks, JSON.parse(readFileSync(joinPath(rooms.dir, 'tickets.jwks.json'), 'utf8')));
      const { payload } = await jwtVerify(issued.body.ticket, createLocalJWKSet(jwks), {
        issuer: 'conclave-rooms',
        audience: 'conclave-sfu',
      });
      const claims = joinTicketClaimsSchema.parse(payload);
      assert.deepEqual(
        { sub: claims.sub, room: claims.room, pid: claims.pid },
        { sub: 'carol', room: id, pid: carol.participantId },
      );
      assert.deepEqual(claims.rights, ['produce:audio', 'produce:video', 'consume', 'chat']);
      assert.ok(claims.exp - claims.iat <= 300);
    });

    const instantWithLobbyOff = async () => {
      const response = await rooms.api('POST', '/meetings/instant', as('alice'), {
        title: 'Point rapide',
        invitees: ['carol', 'dave'],
        lobby: false,
      });
      assert.equal(response.status, 201);
      return response.body as { id: string };
    };

    test('auto-admit named at scheduling lets that invitee in without waiting; others still wait', async () => {
      const { id } = await schedule({ autoAdmit: ['carol'] });
      assert.equal((await join(id, 'carol')).body.state, 'admitted');
      assert.equal((await join(id, 'dave')).body.state, 'waiting');
    });

    test('a locked meeting refuses newcomers with 403 meeting_locked before the lobby; unlocking lets them wait again', async () => {
      const { id } = await schedule();
      assert.equal((await rooms.api('POST', `/meetings/${id}/lock`, as('carol'))).body.code, 'not_organiser');
      assert.equal((await rooms.api('POST', `/meetings/${id}/lock`, as('alice'))).body.locked, true);
      const refused = await join(id, 'carol');
      assert.deepEqual([refused.status, refused.body.code], [403, 'meeting_locked']);
      assert.equal((await rooms.api('GET', `/meetings/${id}/lobby`, as('alice'))).body.length, 0);
      await rooms.api('POST', `/meetings/${id}/unlock`, as('bob'));
      assert.equal((await join(id, 'carol')).body.state, 'waiting');
    });

    test('knock: only an administrator may allow it; then a person who is not invited can wait in the lobby', async () => {
      const { id } = await schedule();
      assert.deepEqual(
        [(await rooms.api('PUT', `/meetings/${id}/knock`, as('alice'), { allowed: true })).body.code],
        ['role_missing'],
      );
      assert.equal((await join(id, 'eve')).body.code, 'not_invited');
      assert.equal(
        (await rooms.api('PUT', `/meetings/${id}/knock`, as('admin'), { allowed: true })).body.knock,
        true,
      );
      assert.equal((await join(id, 'eve')).body.state, 'waiting');
    });

    test('organiser powers reach the SFU; a non-organiser attempting them gets 403 not_organiser and nothing changes', async () => {
      const { id } = await instantWithLobbyOff();
      const carol = (await join(id, 'carol')).body.participantId;
      const dave = (await join(id, 'dave')).body.participantId;
      const calls = sfu.calls.length;
      const participants = async () =>
        JSON.stringify((await rooms.api('GET', `/meetings/${id}/participants`, as('alice'))).body);
      const snapshot = await participants();
      for (const [method, path, body] of [
        ['PUT', `participants/${carol}/share`, { allowed: true }],
        ['PUT', `participants/${carol}/camera`, { allowed: false }],
        ['POST', `participants/${carol}/mute`, {}],
        ['POST', `participants/${carol}/ask-unmute`, undefined],
        ['POST', `participants/${carol}/remove`, undefined],
        ['POST', `participants/${carol}/promote`, undefined],
        ['POST', 'lock', undefined],
        ['POST', 'end', undefined],
        ['PUT', 'auto-admit', { users: ['dave'] }],
        ['POST', 'lobby/admit', { all: true }],
      ] as const) {
        const response = await rooms.api(method, `/meetings/${id}/${path}`, as('dave'), body);
        assert.deepEqual([response.status, response.body.code], [403, 'not_organiser'], path);
      }
      assert.equal(sfu.calls.length, calls, 'the SFU was not asked anything');
      assert.equal(await participants(), snapshot);
      assert.equal(
        (await rooms.api('GET', `/meetings/${id}/participants/${carol}/events`, as('carol'))).body.length,
        0,
      );
      void dave;
    });

    test('share, camera, mute and ask-unmute change rights through the SFU and notify the participant', async () => {
      const { id } = await instantWithLobbyOff();
      await join(id, 'alice');
      const carol = (await join(id, 'carol')).body.participantId;
      const share = await rooms.api('PUT', `/meetings/${id}/participants/${carol}/share`, as('alice'), {
        allowed: true,
      });
      assert.deepEqual(share.body.rights, [
        'produce:audio',
        'produce:video',
        'produce:screen',
        'consume',
        'chat',
      ]);
      const camera = await rooms.api('PUT', `/meetings/${id}/participants/${carol}/camera`, as('alice'), {
        allowed: false,
      });
      assert.deepEqual(camera.body.rights, ['produce:audio', 'produce:screen', 'consume', 'chat']);
      assert.deepEqual(lastCall(), {
        op: 'rights',
        meetingId: id,
        participantId: carol,
        rights: ['produce:audio', 'produce:screen', 'consume', 'chat'],
        actor: 'alice',
      });
      await rooms.api('POST', `/meetings/${id}/participants/${carol}/mute`, as('alice'));
      assert.deepEqual(lastCall(), {
        op: 'pause',
        meetingId: id,
        participantId: carol,
        source: 'microphone',
        actor: 'alice',
      });
      await rooms.api('POST', `/meetings/${id}/participants/${carol}/ask-unmute`, as('alice'));
      const events = await rooms.api('GET', `/meetings/${id}/participants/${carol}/events`, as('carol'));
      assert.deepEqual(
        events.body.map((e: { type: string; by: string }) => [e.type, e.by]),
        [['unmute-requested', 'alice']],
      );
      const ticket = await rooms.api('POST', `/meetings/${id}/participants/${carol}/ticket`, as('carol'));
      const claims = JSON.parse(Buffer.from(ticket.body.ticket.split('.')[1], 'base64url').toString()) as {
        rights: string[];
      };
      assert.deepEqual(
        claims.rights,
        ['produce:audio', 'produce:screen', 'consume', 'chat'],
        'the next ticket carries the new rights',
      );
    });

    test('when the SFU cannot apply a power the request fails with 503 and nothing is stored', async () => {
      const { id } = await instantWithLobbyOff();
      const carol = (await join(id, 'carol')).body.participantId;
      sfu.failing = true;
      try {
        const response = await rooms.api('PUT', `/meetings/${id}/participants/${carol}/share`, as('alice'), {
          allowed: true,
        });
        assert.deepEqual([response.status, response.body.code], [503, 'media_unavailable']);
      } finally {
        sfu.failing = false;
      }
      const view = await rooms.api('GET', `/meetings/${id}/participants/${carol}`, as('alice'));
      assert.equal(view.body.rights.includes('produce:screen'), false);
    });

    test('a co-organiser named at scheduling can remove the organiser, who is then barred and loses its powers', async () => {
      const { id } = await schedule({ lobby: false });
      const alice = (await join(id, 'alice')).body.participantId;
      await join(id, 'bob');
      const removed = await rooms.api('POST', `/meetings/${id}/participants/${alice}/remove`, as('bob'));
      assert.deepEqual([removed.status, removed.body.state], [200, 'removed']);
      assert.deepEqual(lastCall(), {
        op: 'remove',
        meetingId: id,
        participantId: alice,
        userId: 'alice',
        bar: true,
        actor: 'bob',
      });
      assert.equal((await join(id, 'alice')).body.code, 'participant_removed');
      assert.equal(
        (await rooms.api('POST', `/meetings/${id}/participants/${alice}/ticket`, as('alice'))).body.code,
        'participant_removed',
      );
      assert.equal((await rooms.api('POST', `/meetings/${id}/lock`, as('alice'))).body.code, 'not_organiser');
    });

    test('promote makes a participant co-organiser with every power, including sharing', async () => {
      const { id } = await instantWithLobbyOff();
      const carol = (await join(id, 'carol')).body.participantId;
      const dave = (await join(id, 'dave')).body.participantId;
      const promoted = await rooms.api('POST', `/meetings/${id}/participants/${carol}/promote`, as('alice'));
      assert.deepEqual(
        [promoted.body.role, promoted.body.rights.includes('produce:screen')],
        ['co-organiser', true],
      );
      assert.equal(
        (await rooms.api('POST', `/meetings/${id}/participants/${dave}/remove`, as('carol'))).status,
        200,
      );
    });

    test('end closes the meeting for all: the SFU ends it, nobody joins or gets a ticket afterwards', async () => {
      const { id } = await instantWithLobbyOff();
      const carol = (await join(id, 'carol')).body.participantId;
      const ended = await rooms.api('POST', `/meetings/${id}/end`, as('alice'));
      assert.equal(ended.body.status, 'ended');
      assert.deepEqual(lastCall(), { op: 'end', meetingId: id, actor: 'alice' });
      assert.equal((await join(id, 'dave')).body.code, 'meeting_ended');
      assert.equal(
        (await rooms.api('POST', `/meetings/${id}/participants/${carol}/ticket`, as('carol'))).body.code,
        'meeting_ended',
      );
    });

    test('GET /meetings lists what the caller organises or is invited to, including through a group', async () => {
      const { id } = await schedule();
      const ids = async (user: string) =>
        (await rooms.api('GET', '/meetings', as(user))).body.map((m: { id: string }) => m.id);
      assert.ok((await ids('alice')).includes(id));
      assert.ok((await ids('grouped')).includes(id));
      assert.equal((await ids('eve')).includes(id), false);
    });

    test('every action and refusal is in the audit trail, which verifies; no IP addresses are recorded by default', async () => {
      const result = await rooms.server.audit.verify();
      assert.equal(result.ok, true, JSON.stringify(result.firstBad));
      const rows = (await rooms.server.dataSource.query(
        'SELECT action, outcome, actor, reason, source_ip FROM audit_entries',
      )) as {
        action: string;
        outcome: string;
        actor: string;
        reason: string | null;
        source_ip: string | null;
      }[];
      const actions = new Set(rows.map((r) => `${r.action}:${r.outcome}`));
      for (const action of [
        'room.schedule:success',
        'room.join.waiting:success',
        'room.lobby.admit:success',
        'room.lobby.refuse:success',
        'room.participant.remove:success',
        'room.participant.share:success',
        'room.end:success',
        'room.power.denied:failure',
        'room.join:failure',
        'room.ticket:success',
      ]) {
        assert.ok(actions.has(action), action);
      }
      assert.ok(rows.every((r) => r.source_ip === null));
      assert.ok(
        rows.some(
          (r) => r.action === 'room.power.denied' && r.actor === 'dave' && r.reason === 'not_organiser',
        ),
      );
    });

    test('/metrics exposes conclave_rooms_* gauges and counters', async () => {
      const text = await (await fetch(`${rooms.server.internalUrl}/metrics`)).text();
      for (const name of [
        'conclave_rooms_meetings{status="live"}',
        'conclave_rooms_meetings{status="scheduled"}',
        'conclave_rooms_participants',
        'conclave_rooms_lobby_waiting',
        'conclave_rooms_admissions_total',
        'conclave_rooms_refusals_total',
        'conclave_rooms_rights_actions_total{action="share",outcome="success"}',
      ]) {
        assert.ok(text.includes(name), name);
      }
    });
  });
}
