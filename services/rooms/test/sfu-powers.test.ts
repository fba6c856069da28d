import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignallingError, type SignallingClient } from '@conclave/client';
import { CertificateAuthority, systemClock } from '@conclave/server-kit';
import { parseRtp } from '@conclave/testing';
import { startSfu, type SfuFixture } from '../../sfu/test/support/sfu-fixture';
import { publishPlain, subscribePlain, waitFor } from '../../sfu/test/support/plain-rtp';
import { TicketIssuer } from '../src';
import { startRooms, type RoomsFixture } from './support/rooms-fixture';

/** Organiser powers end to end: REST API → rooms service → SFU internal API → media on a real mediasoup worker. */
describe('organiser powers against a real SFU', () => {
  let sfu: SfuFixture;
  let rooms: RoomsFixture;
  let keyDir: string;
  const clients: SignallingClient[] = [];
  /** UDP sockets of publishers and receivers, closed even when a test fails. */
  const sockets: { close(): void }[] = [];
  const tokens: Record<string, string> = {};

  before(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'conclave-rooms-keys-'));
    const keyFile = join(keyDir, 'tickets.key');
    const jwksFile = join(keyDir, 'tickets.jwks.json');
    TicketIssuer.loadOrCreate(keyFile, 60, systemClock).writeJwks(jwksFile);
    // Room control reaches the SFU's internal API over mutual TLS with certificates from the appliance CA.
    const ca = await CertificateAuthority.init(join(keyDir, 'pki'), {
      passphrase: 'a test passphrase, not a secret',
    });
    sfu = await startSfu(
      { media: { plainTransport: { enabled: true, listenIp: '127.0.0.1' } } },
      { jwksFile, internalCa: ca },
    );
    assert.match(sfu.server.internalUrl, /^https:/);
    rooms = await startRooms({
      sfuInternal: { url: sfu.server.internalUrl, token: sfu.apiToken, tls: sfu.internalClient! },
      config: { tickets: { keyFile } },
    });
    tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'] });
    for (const user of ['carol', 'mallory']) tokens[user] = await rooms.tokens.token(user);
  });
  after(async () => {
    for (const client of clients) client.close();
    for (const socket of sockets) {
      try {
        socket.close();
      } catch {
        // already closed by the test
      }
    }
    await rooms.close();
    await sfu.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const meeting = async () => {
    const created = await rooms.api('POST', '/meetings/instant', tokens.alice, {
      title: 'Cellule de crise',
      invitees: ['carol', 'mallory'],
      lobby: false,
    });
    assert.equal(created.status, 201);
    return created.body.id as string;
  };

  /** Enters through the rooms service (join, ticket) and then the SFU (hello, join), as a client does. */
  const enter = async (meetingId: string, user: string) => {
    const joined = await rooms.api('POST', `/meetings/${meetingId}/join`, tokens[user]);
    assert.equal(joined.body.state, 'admitted');
    const participantId = joined.body.participantId as string;
    const ticket = await rooms.api(
      'POST',
      `/meetings/${meetingId}/participants/${participantId}/ticket`,
      tokens[user],
    );
    assert.equal(ticket.status, 200);
    const client = await sfu.connect();
    clients.push(client);
    const hello = await client.hello(ticket.body.ticket);
    assert.deepEqual([hello.roomId, hello.participantId], [meetingId, participantId]);
    await client.request('join', { rtpCapabilities: hello.routerRtpCapabilities });
    return { client, participantId, hello };
  };

  const power = (method: string, meetingId: string, path: string, user: string, body?: unknown) =>
    rooms.api(method, `/meetings/${meetingId}/${path}`, tokens[user], body);

  /** A publisher (carol) and a subscriber (alice) with media flowing between them. */
  const flowing = async (meetingId: string, source: 'camera' | 'microphone' | 'screen', ssrc: number) => {
    const alice = await enter(meetingId, 'alice');
    const carol = await enter(meetingId, 'carol');
    if (source === 'screen') {
      const granted = carol.client.next('rightsChanged');
      assert.equal(
        (
          await power('PUT', meetingId, `participants/${carol.participantId}/share`, 'alice', {
            allowed: true,
          })
        ).status,
        200,
      );
      await granted;
    }
    const producer = await publishPlain(carol.client, source, ssrc);
    sockets.push(producer);
    await producer.send(1, 'warmup');
    const sub = await subscribePlain(alice.client, producer.producerId);
    sockets.push(sub.receiver);
    await producer.send(5, 'before');
    await waitFor(() => marked(sub.receiver.packets, 'before') > 0, 3000, 'media before the power');
    return { alice, carol, producer, sub };
  };

  /** Shows media still flows: what the publisher sends with `marker` arrives. */
  const stillFlows = async (
    producer: Awaited<ReturnType<typeof publishPlain>>,
    packets: Buffer[],
    marker: string,
  ) => {
    await producer.send(5, marker);
    await waitFor(() => marked(packets, marker) > 0, 3000, `media marked ${marker}`);
  };

  /** Shows media stopped: nothing the publisher sends with `marker` arrives. */
  const stopped = async (
    producer: Awaited<ReturnType<typeof publishPlain>>,
    packets: Buffer[],
    marker: string,
  ) => {
    await producer.send(10, marker);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(marked(packets, marker), 0, `no packet marked ${marker} was forwarded`);
  };

  test('revoking screen sharing closes the share within 200 ms and refuses a new one; a non-organiser cannot', async () => {
    const id = await meeting();
    const { carol, producer, sub } = await flowing(id, 'screen', 7001);
    const denied = await power('PUT', id, `participants/${carol.participantId}/share`, 'mallory', {
      allowed: false,
    });
    assert.deepEqual([denied.status, denied.body.code], [403, 'not_organiser']);
    await stillFlows(producer, sub.receiver.packets, 'notrevoked');

    const closed = carol.client.next('producerClosed', (m) => m.producerId === producer.producerId);
    const started = performance.now();
    const response = await power('PUT', id, `participants/${carol.participantId}/share`, 'alice', {
      allowed: false,
    });
    assert.equal(response.status, 200);
    assert.equal((await closed).reason, 'right-revoked');
    assert.ok(performance.now() - started < 200, `took ${(performance.now() - started).toFixed(0)} ms`);
    await stopped(producer, sub.receiver.packets, 'revoked');
    await assert.rejects(
      publishPlain(carol.client, 'screen', 7002),
      (e: SignallingError) => e.code === 'right_missing',
    );
  });

  test('mute stops forwarding the microphone within 200 ms; a non-organiser cannot mute', async () => {
    const id = await meeting();
    const { alice, carol, producer, sub } = await flowing(id, 'microphone', 7101);
    assert.equal(
      (await power('POST', id, `participants/${carol.participantId}/mute`, 'mallory')).body.code,
      'not_organiser',
    );
    await stillFlows(producer, sub.receiver.packets, 'notmuted');

    const paused = alice.client.next(
      'producerPaused',
      (m) => m.producerId === producer.producerId && m.paused,
    );
    const started = performance.now();
    assert.equal((await power('POST', id, `participants/${carol.participantId}/mute`, 'alice')).status, 200);
    await paused;
    assert.ok(performance.now() - started < 200, `took ${(performance.now() - started).toFixed(0)} ms`);
    await stopped(producer, sub.receiver.packets, 'muted');

    assert.equal(
      (await power('POST', id, `participants/${carol.participantId}/ask-unmute`, 'alice')).status,
      200,
    );
    const events = await rooms.api(
      'GET',
      `/meetings/${id}/participants/${carol.participantId}/events`,
      tokens.carol,
    );
    assert.deepEqual(
      events.body.map((e: { type: string }) => e.type),
      ['unmute-requested'],
    );
    await stopped(producer, sub.receiver.packets, 'askednotforced');
  });

  test('a muted participant cannot undo the mute: resumeProducer and producing again are refused with muted_by_organiser, also after reconnecting, until ask-unmute', async () => {
    const id = await meeting();
    const { carol, producer, sub } = await flowing(id, 'microphone', 7151);
    assert.equal((await power('POST', id, `participants/${carol.participantId}/mute`, 'alice')).status, 200);
    await stopped(producer, sub.receiver.packets, 'muted');

    await assert.rejects(
      carol.client.request('resumeProducer', { producerId: producer.producerId }),
      (e: SignallingError) => e.code === 'muted_by_organiser',
    );
    await stopped(producer, sub.receiver.packets, 'selfresumed');
    await carol.client.request('closeProducer', { producerId: producer.producerId });
    await assert.rejects(
      publishPlain(carol.client, 'microphone', 7152),
      (e: SignallingError) => e.code === 'muted_by_organiser',
    );

    const fresh = await rooms.api(
      'POST',
      `/meetings/${id}/participants/${carol.participantId}/ticket`,
      tokens.carol,
    );
    assert.equal(fresh.status, 200);
    const again = await sfu.connect();
    clients.push(again);
    await again.hello(fresh.body.ticket);
    await again.request('join', { rtpCapabilities: carol.hello.routerRtpCapabilities });
    await assert.rejects(
      publishPlain(again, 'microphone', 7153),
      (e: SignallingError) => e.code === 'muted_by_organiser',
    );

    assert.equal(
      (await power('POST', id, `participants/${carol.participantId}/ask-unmute`, 'alice')).status,
      200,
    );
    const accepted = await publishPlain(again, 'microphone', 7154);
    sockets.push(accepted);
    assert.ok(accepted.producerId.length > 0);
  });

  test('a ticket fetched before its holder lost the camera right while disconnected is refused with ticket_superseded', async () => {
    const id = await meeting();
    const alice = await enter(id, 'alice');
    const carol = await enter(id, 'carol');
    const spare = await rooms.api(
      'POST',
      `/meetings/${id}/participants/${carol.participantId}/ticket`,
      tokens.carol,
    );
    const left = alice.client.next('peerLeft', (m) => m.participantId === carol.participantId);
    carol.client.close();
    await left;

    assert.equal(
      (await power('PUT', id, `participants/${carol.participantId}/camera`, 'alice', { allowed: false }))
        .status,
      200,
    );
    const replay = await sfu.connect();
    clients.push(replay);
    await assert.rejects(
      replay.hello(spare.body.ticket),
      (e: SignallingError) => e.code === 'ticket_superseded',
    );

    const fresh = await rooms.api(
      'POST',
      `/meetings/${id}/participants/${carol.participantId}/ticket`,
      tokens.carol,
    );
    const back = await sfu.connect();
    clients.push(back);
    const hello = await back.hello(fresh.body.ticket);
    assert.equal(hello.rights.includes('produce:video'), false);
    await back.request('join', { rtpCapabilities: hello.routerRtpCapabilities });
    await assert.rejects(
      publishPlain(back, 'camera', 7251),
      (e: SignallingError) => e.code === 'right_missing',
    );
  });

  test('a ticket fetched before its holder was removed while disconnected is refused with participant_removed', async () => {
    const id = await meeting();
    const alice = await enter(id, 'alice');
    const mallory = await enter(id, 'mallory');
    const spare = await rooms.api(
      'POST',
      `/meetings/${id}/participants/${mallory.participantId}/ticket`,
      tokens.mallory,
    );
    const left = alice.client.next('peerLeft', (m) => m.participantId === mallory.participantId);
    mallory.client.close();
    await left;

    assert.equal(
      (await power('POST', id, `participants/${mallory.participantId}/remove`, 'alice')).status,
      200,
    );
    const replay = await sfu.connect();
    clients.push(replay);
    await assert.rejects(
      replay.hello(spare.body.ticket),
      (e: SignallingError) => e.code === 'participant_removed',
    );
  });

  test('turning a camera off closes the producer within 200 ms and refuses another; a non-organiser cannot', async () => {
    const id = await meeting();
    const { carol, producer, sub } = await flowing(id, 'camera', 7201);
    assert.equal(
      (await power('PUT', id, `participants/${carol.participantId}/camera`, 'mallory', { allowed: false }))
        .body.code,
      'not_organiser',
    );
    await stillFlows(producer, sub.receiver.packets, 'camstillon');

    const closed = carol.client.next('producerClosed', (m) => m.producerId === producer.producerId);
    const started = performance.now();
    assert.equal(
      (await power('PUT', id, `participants/${carol.participantId}/camera`, 'alice', { allowed: false }))
        .status,
      200,
    );
    await closed;
    assert.ok(performance.now() - started < 200, `took ${(performance.now() - started).toFixed(0)} ms`);
    await stopped(producer, sub.receiver.packets, 'camoff');
    await assert.rejects(
      publishPlain(carol.client, 'camera', 7202),
      (e: SignallingError) => e.code === 'right_missing',
    );
  });

  test('removal closes the transport within 200 ms, and every later ticket is refused; a non-organiser cannot remove', async () => {
    const id = await meeting();
    const { alice, carol, producer, sub } = await flowing(id, 'camera', 7301);
    assert.equal(
      (await power('POST', id, `participants/${carol.participantId}/remove`, 'mallory')).body.code,
      'not_organiser',
    );
    await stillFlows(producer, sub.receiver.packets, 'notremoved');
    const spare = await rooms.api(
      'POST',
      `/meetings/${id}/participants/${carol.participantId}/ticket`,
      tokens.carol,
    );

    const removed = carol.client.next('removed');
    const left = alice.client.next('peerLeft', (m) => m.participantId === carol.participantId);
    const closedCode = new Promise<number>((resolve) => carol.client.onClose((code) => resolve(code)));
    const started = performance.now();
    assert.equal(
      (await power('POST', id, `participants/${carol.participantId}/remove`, 'alice')).status,
      200,
    );
    assert.equal((await removed).reason, 'removed-by-organiser');
    await left;
    assert.ok(performance.now() - started < 200, `took ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(await closedCode, 4003);
    await stopped(producer, sub.receiver.packets, 'removed');

    assert.equal(
      (await rooms.api('POST', `/meetings/${id}/participants/${carol.participantId}/ticket`, tokens.carol))
        .body.code,
      'participant_removed',
    );
    assert.equal(
      (await rooms.api('POST', `/meetings/${id}/join`, tokens.carol)).body.code,
      'participant_removed',
    );
    const again = await sfu.connect();
    clients.push(again);
    await assert.rejects(
      again.hello(spare.body.ticket),
      (e: SignallingError) => e.code === 'participant_removed',
    );
    assert.ok(
      sfu.audit.events.some(
        (e) => e.action === 'sfu.remove' && e.actor === 'alice' && e.target === carol.participantId,
      ),
    );
  });

  test('ending the meeting disconnects everyone within 200 ms; a non-organiser cannot end it', async () => {
    const id = await meeting();
    const { alice, carol, producer, sub } = await flowing(id, 'microphone', 7401);
    assert.equal((await power('POST', id, 'end', 'mallory')).body.code, 'not_organiser');
    await stillFlows(producer, sub.receiver.packets, 'notended');

    const ends = Promise.all([alice.client.next('removed'), carol.client.next('removed')]);
    const started = performance.now();
    assert.equal((await power('POST', id, 'end', 'alice')).status, 200);
    assert.deepEqual(
      (await ends).map((m) => m.reason),
      ['room-ended', 'room-ended'],
    );
    assert.ok(performance.now() - started < 200, `took ${(performance.now() - started).toFixed(0)} ms`);
    await stopped(producer, sub.receiver.packets, 'ended');
  });

  test('promotion grants a participant the right to share at once; a non-organiser cannot promote', async () => {
    const id = await meeting();
    const carol = await enter(id, 'carol');
    await assert.rejects(
      publishPlain(carol.client, 'screen', 7501),
      (e: SignallingError) => e.code === 'right_missing',
    );
    assert.equal(
      (await power('POST', id, `participants/${carol.participantId}/promote`, 'mallory')).body.code,
      'not_organiser',
    );
    const rights = carol.client.next('rightsChanged');
    assert.equal(
      (await power('POST', id, `participants/${carol.participantId}/promote`, 'alice')).body.role,
      'co-organiser',
    );
    assert.ok((await rights).rights.includes('produce:screen'));
    const screen = await publishPlain(carol.client, 'screen', 7502);
    sockets.push(screen);
    assert.ok(screen.producerId.length > 0);
  });
});

/** How many forwarded RTP packets carry a payload starting with `marker`. */
function marked(packets: Buffer[], marker: string): number {
  return packets
    .map(parseRtp)
    .filter((p) => p !== undefined)
    .filter((p) => /[a-z]+-\d+/.exec(p.payload.toString('latin1'))?.[0].split('-')[0] === marker).length;
}
