import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { iceServersSchema, type IceServers } from '@conclave/protocol';
import { TurnClient } from '@conclave/turn';
import { startConclaveCoturn, type ConclaveCoturn } from '../../../libs/turn/test/coturn';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

const HOUR = 3_600_000;
const LIFETIME_SECONDS = 2 * 3600;

/**
 * Room control hands each admitted participant the appliance's TURN relay with a credential bound to its user,
 * and a real coturn sharing the secret accepts it; nobody else gets one.
 */
describe('TURN credentials handed out with the join ticket', () => {
  let rooms: RoomsFixture;
  let turn: ConclaveCoturn;
  let dir: string;
  const sfu = new RecordingSfu();
  const tokens: Record<string, string> = {};
  const as = (user: string) => tokens[user]!;
  const clients: TurnClient[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conclave-rooms-turn-'));
    const secret = randomBytes(32).toString('base64url');
    turn = await startConclaveCoturn({ secrets: [secret] });
    const secretFile = join(dir, 'turn.secret');
    writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
    rooms = await startRooms({
      sfu,
      config: {
        turn: {
          serverName: 'turn.conclave.test',
          port: 3478,
          tlsPort: 443,
          secretFile,
          credentialLifetimeSeconds: LIFETIME_SECONDS,
        },
      },
    });
    tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'] });
    for (const user of ['carol', 'dave']) tokens[user] = await rooms.tokens.token(user);
  });
  after(async () => {
    for (const client of clients) client.close();
    await rooms?.close();
    await turn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ticket = (id: string, participantId: string, user: string) =>
    rooms.api('POST', `/meetings/${id}/participants/${participantId}/ticket`, as(user));
  const instant = async () => {
    const created = await rooms.api('POST', '/meetings/instant', as('alice'), {
      title: 'Cellule de crise',
      invitees: ['carol', 'dave'],
      lobby: false,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.id as string;
  };

  test('POST …/ticket gives an admitted participant the relay URLs and a credential naming its user, signed with the shared secret, expiring with the meeting at most credentialLifetimeSeconds away', async () => {
    const id = await instant();
    const carol = (await rooms.api('POST', `/meetings/${id}/join`, as('carol'))).body;
    assert.equal(carol.state, 'admitted');
    const before = Date.now();
    const issued = await ticket(id, carol.participantId, 'carol');
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const ice: IceServers = iceServersSchema.parse(issued.body.iceServers);
    assert.equal(ice.iceServers.length, 1);
    const [server] = ice.iceServers;
    assert.deepEqual(server!.urls, [
      'turn:turn.conclave.test:3478?transport=udp',
      'turn:turn.conclave.test:3478?transport=tcp',
      'turns:turn.conclave.test:443?transport=tcp',
    ]);
    const [expiry, userId] = server!.username.split(':');
    assert.equal(userId, 'carol');
    assert.equal(
      server!.credential,
      createHmac('sha1', turn.secrets[0]!).update(server!.username).digest('base64'),
    );
    const expiresAtMs = Number(expiry) * 1000;
    assert.equal(new Date(ice.expiresAt).getTime(), expiresAtMs);
    assert.ok(expiresAtMs > before + 60_000, 'outlives the ticket');
    assert.ok(expiresAtMs <= Date.now() + LIFETIME_SECONDS * 1000, 'bounded by credentialLifetimeSeconds');
  });

  test('the handed-out credential allocates on a real coturn sharing the secret, and is refused once its username names another user', async () => {
    const id = await instant();
    const carol = (await rooms.api('POST', `/meetings/${id}/join`, as('carol'))).body;
    const [server] = iceServersSchema.parse(
      (await ticket(id, carol.participantId, 'carol')).body.iceServers,
    ).iceServers;
    const client = await TurnClient.udp(turn.host, turn.port);
    clients.push(client);
    const granted = await client.allocate(server!.username, server!.credential);
    assert.equal(granted.ok, true, JSON.stringify(granted));
    const other = await TurnClient.udp(turn.host, turn.port);
    clients.push(other);
    const stolen = await other.allocate(server!.username.replace(':carol', ':dave'), server!.credential);
    assert.deepEqual([stolen.ok, !stolen.ok && stolen.code], [false, 401]);
  });

  test('POST …/ticket by a waiting participant (403 not_admitted) or a removed one (403 participant_removed) carries no ICE servers', async () => {
    const scheduled = await rooms.api('POST', '/meetings', as('alice'), {
      title: 'Comité de pilotage',
      startsAt: new Date(Date.now() + HOUR).toISOString(),
      endsAt: new Date(Date.now() + 2 * HOUR).toISOString(),
      timeZone: 'Europe/Paris',
      invitees: ['carol'],
    });
    assert.equal(scheduled.status, 201, JSON.stringify(scheduled.body));
    const waiting = (await rooms.api('POST', `/meetings/${scheduled.body.id}/join`, as('carol'))).body;
    assert.equal(waiting.state, 'waiting');
    const refusedWaiting = await ticket(scheduled.body.id, waiting.participantId, 'carol');
    assert.deepEqual([refusedWaiting.status, refusedWaiting.body.code], [403, 'not_admitted']);
    assert.equal(refusedWaiting.body.iceServers, undefined);

    const id = await instant();
    const dave = (await rooms.api('POST', `/meetings/${id}/join`, as('dave'))).body;
    assert.equal((await ticket(id, dave.participantId, 'dave')).status, 200);
    const removed = await rooms.api(
      'POST',
      `/meetings/${id}/participants/${dave.participantId}/remove`,
      as('alice'),
    );
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const refusedRemoved = await ticket(id, dave.participantId, 'dave');
    assert.deepEqual([refusedRemoved.status, refusedRemoved.body.code], [403, 'participant_removed']);
    assert.equal(refusedRemoved.body.iceServers, undefined);
  });

  test('RoomsServer.start with a TURN secret file readable by others is refused with invalid_config', async () => {
    const loose = join(dir, 'loose.secret');
    writeFileSync(loose, `${turn.secrets[0]}\n`, { mode: 0o644 });
    await assert.rejects(
      startRooms({ sfu, config: { turn: { serverName: 'turn.conclave.test', secretFile: loose } } }),
      (error: Error & { code?: string }) =>
        error.code === 'invalid_config' && /readable by others/.test(error.message),
    );
  });
});
