import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';
import { StreamReader } from './support/sse-reader';

const HOUR = 3_600_000;

/** Meetings with a lobby, organised by alice; carol, dave and erin are invited. */
function helpers(rooms: () => RoomsFixture, tokens: Record<string, string>) {
  const as = (user: string) => tokens[user]!;
  const schedule = async () => {
    const response = await rooms().api('POST', '/meetings', as('alice'), {
      title: 'Cellule de crise',
      startsAt: new Date(Date.now() + HOUR).toISOString(),
      endsAt: new Date(Date.now() + 2 * HOUR).toISOString(),
      timeZone: 'Europe/Paris',
      invitees: ['carol', 'dave', 'erin'],
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.id as string;
  };
  const join = async (id: string, user: string) => {
    const response = await rooms().api('POST', `/meetings/${id}/join`, as(user));
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.participantId as string;
  };
  const streamUrl = (id: string, pid: string) => `${rooms().url}/meetings/${id}/participants/${pid}/stream`;
  const open = async (id: string, pid: string, user: string) => {
    const opened = await StreamReader.open(streamUrl(id, pid), as(user));
    assert.ok(opened.reader !== undefined, JSON.stringify(opened.refusal));
    return opened.reader;
  };
  const audit = async (action: string, target: string) =>
    (await rooms().server.dataSource.query(
      `SELECT actor, details FROM audit_entries WHERE action = '${action}' AND target = '${target}'`,
    )) as { actor: string; details: string }[];
  return { as, schedule, join, streamUrl, open, audit };
}

describe('participant stream (server-sent events from room control)', () => {
  let rooms: RoomsFixture;
  const tokens: Record<string, string> = {};
  const readers: StreamReader[] = [];
  const { as, schedule, join, streamUrl, open: openStream, audit } = helpers(() => rooms, tokens);
  const open = async (id: string, pid: string, user: string) => {
    const reader = await openStream(id, pid, user);
    readers.push(reader);
    return reader;
  };

  before(async () => {
    rooms = await startRooms({ sfu: new RecordingSfu() });
    for (const user of ['carol', 'dave', 'erin']) tokens[user] = await rooms.tokens.token(user);
    tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'] });
  });
  after(async () => {
    readers.forEach((reader) => reader.close());
    await rooms.close();
  });

  test('the organiser sees an arrival pushed at once and the waiting person learns "admitted" from the same push, with no polling', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const organiser = await open(id, alice, 'alice');
    await organiser.next((e) => e.type === 'state' && e.state === 'admitted', 'the organiser state');
    await organiser.next((e) => e.type === 'lobby' && e.waiting.length === 0, 'an empty lobby');

    const carol = await join(id, 'carol');
    const arrival = await organiser.next((e) => e.type === 'lobby-arrived', 'the arrival');
    assert.ok(arrival.type === 'lobby-arrived');
    assert.deepEqual(
      [arrival.entry.participantId, arrival.entry.userId, arrival.entry.name],
      [carol, 'carol', 'carol'],
    );

    const waiting = await open(id, carol, 'carol');
    const first = await waiting.next((e) => e.type === 'state', 'the waiting state');
    assert.ok(first.type === 'state');
    assert.deepEqual([first.state, first.giveUpAfterSeconds], ['waiting', 900]);
    assert.ok(Date.parse(first.giveUpAt!) > Date.now() + 800_000, first.giveUpAt);
    assert.equal(
      waiting.events.some((e) => e.type === 'lobby'),
      false,
      'a waiting person never sees the lobby',
    );

    const admitted = await rooms.api('POST', `/meetings/${id}/lobby/admit`, as('alice'), {
      participantIds: [carol],
    });
    assert.equal(admitted.status, 200);
    await waiting.next((e) => e.type === 'state' && e.state === 'admitted', 'admission');
    const departed = await organiser.next((e) => e.type === 'lobby-departed', 'the departure');
    assert.deepEqual(departed, { type: 'lobby-departed', participantId: carol, outcome: 'admitted' });
    assert.equal(waiting.ended, false, 'an admitted session keeps its stream for requests');
  });

  test('a refused person is told "refused" and the stream closes; a late reconnection gets the final state and closes', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const organiser = await open(id, alice, 'alice');
    const dave = await join(id, 'dave');
    const waiting = await open(id, dave, 'dave');
    await waiting.next((e) => e.type === 'state' && e.state === 'waiting', 'waiting');
    await rooms.api('POST', `/meetings/${id}/lobby/refuse`, as('alice'), { all: true });
    const refused = await waiting.next((e) => e.type === 'state' && e.state !== 'waiting', 'the refusal');
    assert.deepEqual(refused, { type: 'state', state: 'refused', reason: 'refused' });
    await waiting.end('after the refusal');
    await organiser.next(
      (e) => e.type === 'lobby-departed' && e.outcome === 'refused',
      'the organiser sees it',
    );

    const again = await open(id, dave, 'dave');
    await again.end('a final state');
    assert.deepEqual(again.events, [{ type: 'state', state: 'refused' }]);
  });

  test('POST …/leave withdraws a waiting person: state left, an audit entry, the organiser’s lobby empties; repeats change nothing', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const organiser = await open(id, alice, 'alice');
    const erin = await join(id, 'erin');
    await organiser.next((e) => e.type === 'lobby-arrived', 'the arrival');
    const waiting = await open(id, erin, 'erin');

    const left = await rooms.api('POST', `/meetings/${id}/participants/${erin}/leave`, as('erin'));
    assert.deepEqual([left.status, left.body], [200, { participantId: erin, state: 'left' }]);
    await waiting.next((e) => e.type === 'state' && e.reason === 'withdrew', 'her own withdrawal');
    await waiting.end('after leaving');
    await organiser.next(
      (e) => e.type === 'lobby-departed' && e.participantId === erin && e.outcome === 'withdrew',
      'the departure',
    );
    assert.deepEqual((await rooms.api('GET', `/meetings/${id}/lobby`, as('alice'))).body, []);
    assert.equal((await audit('room.lobby.leave', erin)).length, 1);

    const repeat = await rooms.api('POST', `/meetings/${id}/participants/${erin}/leave`, as('erin'));
    assert.equal(repeat.status, 200);
    assert.equal((await audit('room.lobby.leave', erin)).length, 1, 'a repeat writes nothing');
    const notHers = await rooms.api('POST', `/meetings/${id}/participants/${alice}/leave`, as('erin'));
    assert.deepEqual([notHers.status, notHers.body.code], [404, 'not_found']);
    const admittedLeave = await rooms.api('POST', `/meetings/${id}/participants/${alice}/leave`, as('alice'));
    assert.deepEqual([admittedLeave.status, admittedLeave.body.code], [409, 'invalid_state']);
    assert.equal((await join(id, 'erin')).length > 0, true, 'she may ask again later');
  });

  test('locking the meeting sends the waiting people away with "locked" (audited) and they cannot come back while it is locked', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const organiser = await open(id, alice, 'alice');
    const carol = await join(id, 'carol');
    const waiting = await open(id, carol, 'carol');
    await waiting.next((e) => e.type === 'state' && e.state === 'waiting', 'waiting');

    assert.equal((await rooms.api('POST', `/meetings/${id}/lock`, as('alice'))).status, 200);
    const told = await waiting.next((e) => e.type === 'state' && e.state === 'left', 'the lock');
    assert.deepEqual(told, { type: 'state', state: 'left', reason: 'locked' });
    await waiting.end('after the lock');
    await organiser.next(
      (e) => e.type === 'lobby-departed' && e.outcome === 'locked',
      'the organiser sees it',
    );
    assert.deepEqual(
      (await audit('room.lobby.locked-out', carol)).map((e) => e.actor),
      ['alice'],
    );
    const again = await rooms.api('POST', `/meetings/${id}/join`, as('carol'));
    assert.deepEqual([again.status, again.body.code], [403, 'meeting_locked']);
  });

  test('removing a waiting person tells them "removed" and closes their stream; the organiser sees the departure', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const organiser = await open(id, alice, 'alice');
    const erin = await join(id, 'erin');
    const waiting = await open(id, erin, 'erin');
    await waiting.next((e) => e.type === 'state' && e.state === 'waiting', 'waiting');
    const removed = await rooms.api('POST', `/meetings/${id}/participants/${erin}/remove`, as('alice'));
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const told = await waiting.next((e) => e.type === 'state' && e.state !== 'waiting', 'the removal');
    assert.deepEqual(told, { type: 'state', state: 'removed', reason: 'removed' });
    await waiting.end('after the removal');
    await organiser.next(
      (e) => e.type === 'lobby-departed' && e.participantId === erin && e.outcome === 'removed',
      'the departure',
    );
  });

  test('an unmute request reaches an admitted session through its stream and is not kept for the polled inbox', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const dave = await join(id, 'dave');
    await rooms.api('POST', `/meetings/${id}/lobby/admit`, as('alice'), { all: true });
    const stream = await open(id, dave, 'dave');
    await stream.next((e) => e.type === 'state' && e.state === 'admitted', 'admitted');
    const asked = await rooms.api('POST', `/meetings/${id}/participants/${dave}/ask-unmute`, as('alice'));
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    const request = await stream.next((e) => e.type === 'unmute-requested', 'the request');
    assert.ok(request.type === 'unmute-requested');
    assert.equal(request.by, 'alice');
    assert.deepEqual(
      (await rooms.api('GET', `/meetings/${id}/participants/${dave}/events`, as('dave'))).body,
      [],
    );
    assert.ok(alice.length > 0);
  });

  test('ending the meeting tells every stream "meeting-ended" and closes them', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const organiser = await open(id, alice, 'alice');
    const carol = await join(id, 'carol');
    const waiting = await open(id, carol, 'carol');
    await waiting.next((e) => e.type === 'state', 'waiting');
    assert.equal((await rooms.api('POST', `/meetings/${id}/end`, as('alice'))).status, 200);
    for (const reader of [organiser, waiting]) {
      await reader.next((e) => e.type === 'meeting-ended', 'the end');
      await reader.end('after the end');
    }
  });

  test('a stream is refused without a token (401), for another person’s session or an unknown one (404)', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const anonymous = await fetch(streamUrl(id, alice));
    assert.equal(anonymous.status, 401);
    for (const [pid, user] of [
      [alice, 'carol'],
      ['pAAAAAAAAAAAAAAAA', 'alice'],
    ] as const) {
      const opened = await StreamReader.open(streamUrl(id, pid), as(user));
      assert.deepEqual([opened.refusal?.status, opened.refusal?.body.code], [404, 'not_found']);
    }
  });

  test('the stream closes when the access token that opened it expires', async () => {
    const id = await schedule();
    const carol = await join(id, 'carol');
    const shortLived = await rooms.tokens.token('carol', { lifetime: 2 });
    const opened = await StreamReader.open(streamUrl(id, carol), shortLived);
    assert.ok(opened.reader !== undefined);
    readers.push(opened.reader);
    await opened.reader.next((e) => e.type === 'state', 'the first state');
    await opened.reader.end('the token expiring', 15_000);
  });
});

describe('participant stream limits, heartbeats and giving up (small settings)', () => {
  let rooms: RoomsFixture;
  const tokens: Record<string, string> = {};
  const readers: StreamReader[] = [];
  const { as, schedule, join, streamUrl, open, audit } = helpers(() => rooms, tokens);

  before(async () => {
    rooms = await startRooms({
      sfu: new RecordingSfu(),
      config: {
        lobby: { giveUpAfterSeconds: 5 },
        streams: { perUser: 2, total: 3, heartbeatSeconds: 1 },
      },
    });
    for (const user of ['carol', 'dave', 'erin']) tokens[user] = await rooms.tokens.token(user);
    tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'] });
  });
  after(async () => {
    readers.forEach((reader) => reader.close());
    await rooms.close();
  });

  test('a person still waiting after the configured time is told "gave-up" and removed, audited; the organiser sees it; heartbeats flow meanwhile', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const organiser = await open(id, alice, 'alice');
    readers.push(organiser);
    const dave = await join(id, 'dave');
    const waiting = await open(id, dave, 'dave');
    readers.push(waiting);
    const first = await waiting.next((e) => e.type === 'state', 'waiting');
    assert.ok(first.type === 'state' && first.giveUpAfterSeconds === 5);
    const gaveUp = await waiting.next((e) => e.type === 'state' && e.state === 'left', 'giving up', 30_000);
    assert.deepEqual(gaveUp, { type: 'state', state: 'left', reason: 'gave-up' });
    await organiser.next(
      (e) => e.type === 'lobby-departed' && e.outcome === 'gave-up',
      'the organiser sees it',
    );
    assert.ok(organiser.heartbeats >= 2, `${organiser.heartbeats} heartbeats`);
    const entries = await audit('room.lobby.gave-up', dave);
    assert.deepEqual(
      entries.map((e) => e.actor),
      ['rooms'],
    );
    assert.deepEqual((await rooms.api('GET', `/meetings/${id}/lobby`, as('alice'))).body, []);
    organiser.close();
    waiting.close();
  });

  test('streams beyond the per-user cap and the service cap are refused with 429 too_many_streams; a closed stream frees its place', async () => {
    const id = await schedule();
    const alice = await join(id, 'alice');
    const carol = await join(id, 'carol');
    // Admitted, so that giving up her wait cannot free a place during the test.
    await rooms.api('POST', `/meetings/${id}/lobby/admit`, as('alice'), { all: true });
    const first = await open(id, alice, 'alice');
    const second = await open(id, alice, 'alice');
    readers.push(first, second);
    const third = await StreamReader.open(streamUrl(id, alice), as('alice'));
    assert.deepEqual([third.refusal?.status, third.refusal?.body.code], [429, 'too_many_streams']);
    const carolStream = await open(id, carol, 'carol');
    readers.push(carolStream);
    const overall = await StreamReader.open(streamUrl(id, carol), as('carol'));
    assert.deepEqual([overall.refusal?.status, overall.refusal?.body.code], [429, 'too_many_streams']);
    const metrics = await (await fetch(`${rooms.server.internalUrl}/metrics`)).text();
    assert.match(metrics, /^conclave_rooms_participant_streams 3$/m);

    second.close();
    let reopened: Awaited<ReturnType<typeof StreamReader.open>> | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      reopened = await StreamReader.open(streamUrl(id, alice), as('alice'));
      if (reopened.reader !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(reopened?.reader !== undefined, 'a closed stream frees its place');
    readers.push(reopened.reader);
  });
});
