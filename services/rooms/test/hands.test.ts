import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SignallingClient } from '@conclave/client';
import type { ServerNotification } from '@conclave/protocol';
import { systemClock } from '@conclave/server-kit';
import { startSfu, type SfuFixture } from '../../sfu/test/support/sfu-fixture';
import { TicketIssuer } from '../src';
import { startRooms, type RoomsFixture } from './support/rooms-fixture';

type HandChanged = Extract<ServerNotification, { type: 'handChanged' }>;

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Organisers lower hands end to end: REST API → room control → SFU internal API → every participant. */
describe('organisers lower hands through room control and a real SFU', () => {
  let sfu: SfuFixture;
  let rooms: RoomsFixture;
  let keyDir: string;
  const clients: SignallingClient[] = [];
  const tokens: Record<string, string> = {};

  before(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'conclave-rooms-hands-'));
    const keyFile = join(keyDir, 'tickets.key');
    const jwksFile = join(keyDir, 'tickets.jwks.json');
    TicketIssuer.loadOrCreate(keyFile, 60, systemClock).writeJwks(jwksFile);
    sfu = await startSfu({}, { jwksFile });
    rooms = await startRooms({
      sfuInternal: { url: sfu.server.internalUrl, token: sfu.apiToken },
      config: { tickets: { keyFile } },
    });
    tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'] });
    for (const user of ['carol', 'mallory']) tokens[user] = await rooms.tokens.token(user);
  });
  after(async () => {
    for (const client of clients) client.close();
    await rooms.close();
    await sfu.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const meeting = async () => {
    const created = await rooms.api('POST', '/meetings/instant', tokens.alice, {
      title: 'Points de situation',
      invitees: ['carol', 'mallory'],
      lobby: false,
    });
    assert.equal(created.status, 201);
    return created.body.id as string;
  };

  /** Enters through room control (join, ticket) and the SFU (hello, join); records the hands it hears of. */
  const enter = async (meetingId: string, user: string) => {
    const joined = await rooms.api('POST', `/meetings/${meetingId}/join`, tokens[user]);
    assert.equal(joined.body.state, 'admitted');
    const participantId = joined.body.participantId as string;
    const ticket = await rooms.api(
      'POST',
      `/meetings/${meetingId}/participants/${participantId}/ticket`,
      tokens[user],
    );
    const client = await sfu.connect();
    clients.push(client);
    const hello = await client.hello(ticket.body.ticket);
    const hands: HandChanged[] = [];
    client.on('handChanged', (message) => hands.push(message));
    await client.request('join', { rtpCapabilities: hello.routerRtpCapabilities });
    return { client, participantId, hands };
  };
  const auditRows = async (action: string) =>
    (await rooms.server.dataSource.query(
      `SELECT actor, target, outcome FROM audit_entries WHERE action = '${action}' ORDER BY sequence`,
    )) as { actor: string; target: string; outcome: string }[];

  test('POST lower-hand lowers one raised hand, heard by everyone as lowered by an organiser, with an audit entry', async () => {
    const id = await meeting();
    const alice = await enter(id, 'alice');
    const carol = await enter(id, 'carol');
    await carol.client.request('setHand', { raised: true });
    await until('alice to see the hand', () => alice.hands.length === 1);

    const lowered = await rooms.api(
      'POST',
      `/meetings/${id}/participants/${carol.participantId}/lower-hand`,
      tokens.alice,
    );
    assert.equal(lowered.status, 200, JSON.stringify(lowered.body));
    assert.equal(lowered.body.participantId, carol.participantId);
    await until('carol to hear it', () => carol.hands.length === 2);
    assert.deepEqual(carol.hands[1], {
      type: 'handChanged',
      participantId: carol.participantId,
      raised: false,
      by: 'organiser',
    });
    assert.deepEqual((await auditRows('room.participant.lower-hand')).at(-1), {
      actor: 'alice',
      target: carol.participantId,
      outcome: 'success',
    });
  });

  test('a participant who is not an organiser is refused 403 on lower-hand and lower-all, and the hand stays raised', async () => {
    const id = await meeting();
    const carol = await enter(id, 'carol');
    const mallory = await enter(id, 'mallory');
    await carol.client.request('setHand', { raised: true });
    await until('mallory to see the hand', () => mallory.hands.length === 1);

    const one = await rooms.api(
      'POST',
      `/meetings/${id}/participants/${carol.participantId}/lower-hand`,
      tokens.mallory,
    );
    const all = await rooms.api('POST', `/meetings/${id}/hands/lower-all`, tokens.mallory);
    assert.deepEqual([one.status, all.status], [403, 403]);
    assert.equal(one.body.code, all.body.code);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      carol.hands.map((message) => message.raised),
      [true],
      'nobody heard the hand go down',
    );
    const unknown = await rooms.api('POST', `/meetings/${id}/participants/nobody/lower-hand`, tokens.alice);
    assert.equal(unknown.status, 404);
  });

  test('POST hands/lower-all lowers every raised hand with one audit entry, and is refused 409 once the meeting ended', async () => {
    const id = await meeting();
    const alice = await enter(id, 'alice');
    const carol = await enter(id, 'carol');
    const mallory = await enter(id, 'mallory');
    await carol.client.request('setHand', { raised: true });
    await mallory.client.request('setHand', { raised: true });
    await until('both hands at alice', () => alice.hands.length === 2);

    const all = await rooms.api('POST', `/meetings/${id}/hands/lower-all`, tokens.alice);
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.equal(all.body.id, id);
    await until('both lowered at alice', () => alice.hands.length === 4);
    assert.deepEqual(
      alice.hands
        .slice(2)
        .map(({ participantId, raised, by }) => ({ participantId, raised, by }))
        .sort((a, b) => a.participantId.localeCompare(b.participantId)),
      [carol.participantId, mallory.participantId]
        .sort()
        .map((participantId) => ({ participantId, raised: false, by: 'organiser' })),
    );
    assert.deepEqual((await auditRows('room.hands.lower-all')).at(-1), {
      actor: 'alice',
      target: id,
      outcome: 'success',
    });

    assert.equal((await rooms.api('POST', `/meetings/${id}/end`, tokens.alice)).status, 200);
    const late = await rooms.api('POST', `/meetings/${id}/hands/lower-all`, tokens.alice);
    assert.deepEqual([late.status, late.body.code], [409, 'meeting_ended']);
    assert.equal((await rooms.server.audit.verify()).ok, true);
  });
});
