import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignallingError, type SignallingClient } from '@conclave/client';
import { parseRtp, type TicketClaimsInput } from '@conclave/testing';
import { startSfu, type SfuFixture } from './support/sfu-fixture';
import { publishPlain, subscribePlain, waitFor } from './support/plain-rtp';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof SignallingError);
    return error.code;
  }
}

/** How many forwarded RTP packets carry a payload starting with `marker`. */
function marked(packets: Buffer[], marker: string): number {
  return packets
    .map(parseRtp)
    .filter((p) => p !== undefined)
    .filter((p) => /[a-z]+-\d+/.exec(p.payload.toString('latin1'))?.[0].split('-')[0] === marker).length;
}

/** Organiser powers attacked by the participant they apply to, through a real SFU and mediasoup worker. */
describe('organiser powers hold against the participant they apply to', () => {
  let sfu: SfuFixture;
  const clients: SignallingClient[] = [];
  const sockets: { close(): void }[] = [];
  before(async () => {
    sfu = await startSfu({ media: { plainTransport: { enabled: true, listenIp: '127.0.0.1' } } });
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const s of sockets) s.close();
    await sfu.close();
  });

  const enter = async (claims: TicketClaimsInput) => {
    const { client, hello } = await sfu.join(claims);
    clients.push(client);
    await client.request('join', { rtpCapabilities: hello.routerRtpCapabilities });
    return client;
  };
  const participantPath = (room: string, pid: string, power: string) =>
    `/internal/v1/rooms/${room}/participants/${pid}/${power}`;
  const helloCode = async (claims: TicketClaimsInput) => {
    const client = await sfu.connect();
    clients.push(client);
    return codeOf(client.hello(await sfu.signer.sign(claims)));
  };

  /** carol publishes `source`, alice receives it; media is shown to flow. */
  const flowing = async (room: string, ssrc: number) => {
    const alice = await enter({ user: 'alice', room, participant: 'alice-1', powersVersion: 1 });
    const carol = await enter({ user: 'carol', room, participant: 'carol-1', powersVersion: 1 });
    const mic = await publishPlain(carol, 'microphone', ssrc);
    sockets.push(mic);
    await mic.send(1, 'warmup');
    const sub = await subscribePlain(alice, mic.producerId);
    sockets.push(sub.receiver);
    await mic.send(5, 'before');
    await waitFor(() => marked(sub.receiver.packets, 'before') > 0, 3000, 'media before the mute');
    return { alice, carol, mic, packets: sub.receiver.packets };
  };
  const stopped = async (
    mic: Awaited<ReturnType<typeof publishPlain>>,
    packets: Buffer[],
    marker: string,
  ) => {
    await mic.send(10, marker);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(marked(packets, marker), 0, `no packet marked ${marker} was forwarded`);
  };

  test('resumeProducer after an organiser mute is refused with muted_by_organiser and the microphone stays stopped', async () => {
    const { carol, mic, packets } = await flowing('p-resume', 8101);
    const muted = await sfu.internal('POST', participantPath('p-resume', 'carol-1', 'pause'), {
      source: 'microphone',
      version: 2,
      actor: 'alice',
    });
    assert.deepEqual([muted.status, muted.body], [200, { ok: true, live: true }]);
    await stopped(mic, packets, 'muted');

    assert.equal(
      await codeOf(carol.request('resumeProducer', { producerId: mic.producerId })),
      'muted_by_organiser',
    );
    await stopped(mic, packets, 'resumed');

    const released = await sfu.internal('POST', participantPath('p-resume', 'carol-1', 'release'), {
      sources: ['microphone'],
      version: 3,
      actor: 'alice',
    });
    assert.equal(released.status, 200);
    await stopped(mic, packets, 'releasednotresumed');
    assert.equal(await codeOf(carol.request('resumeProducer', { producerId: mic.producerId })), 'ok');
    await mic.send(5, 'accepted');
    await waitFor(() => marked(packets, 'accepted') > 0, 3000, 'media after the participant resumed');
  });

  test('closing a muted microphone and producing it again is refused with muted_by_organiser; other sources still produce', async () => {
    const { carol, mic } = await flowing('p-reproduce', 8201);
    assert.equal(
      (
        await sfu.internal('POST', participantPath('p-reproduce', 'carol-1', 'pause'), {
          source: 'microphone',
          version: 2,
          actor: 'alice',
        })
      ).status,
      200,
    );
    await carol.request('closeProducer', { producerId: mic.producerId });
    await assert.rejects(
      publishPlain(carol, 'microphone', 8202),
      (e: SignallingError) => e.code === 'muted_by_organiser',
    );
    const camera = await publishPlain(carol, 'camera', 8203);
    sockets.push(camera);
    assert.ok(camera.producerId.length > 0);
  });

  test('a fresh ticket naming the muted source keeps the mute across reconnection', async () => {
    await enter({ user: 'carol', room: 'p-reconnect', participant: 'carol-1', powersVersion: 5 });
    const carol = await enter({
      user: 'carol',
      room: 'p-reconnect',
      participant: 'carol-1',
      powersVersion: 6,
      paused: ['microphone'],
    });
    await assert.rejects(
      publishPlain(carol, 'microphone', 8301),
      (e: SignallingError) => e.code === 'muted_by_organiser',
    );
  });

  test('a ticket issued before a rights change made while its holder was away is refused with ticket_superseded', async () => {
    await enter({ user: 'alice', room: 'p-away', participant: 'alice-1', powersVersion: 1 });
    const stale = await sfu.signer.sign({
      user: 'carol',
      room: 'p-away',
      participant: 'carol-1',
      powersVersion: 3,
    });
    const revoked = await sfu.internal('PUT', participantPath('p-away', 'carol-1', 'rights'), {
      rights: ['consume'],
      version: 4,
      actor: 'alice',
    });
    assert.deepEqual([revoked.status, revoked.body], [200, { ok: true, live: false }]);
    const client = await sfu.connect();
    clients.push(client);
    assert.equal(await codeOf(client.hello(stale)), 'ticket_superseded');
    assert.equal(
      await helloCode({
        user: 'carol',
        room: 'p-away',
        participant: 'carol-1',
        powersVersion: 5,
        rights: ['consume'],
      }),
      'ok',
    );
  });

  test('a ticket issued before a removal is refused with participant_removed, even when the room was closed', async () => {
    const stale = await sfu.signer.sign({
      user: 'mallory',
      room: 'p-removed',
      participant: 'mallory-1',
      powersVersion: 7,
    });
    const removed = await sfu.internal('POST', participantPath('p-removed', 'mallory-1', 'remove'), {
      userId: 'mallory',
      bar: true,
      version: 8,
      actor: 'alice',
    });
    assert.deepEqual([removed.status, removed.body], [200, { ok: true, live: false }]);
    const client = await sfu.connect();
    clients.push(client);
    assert.equal(await codeOf(client.hello(stale)), 'participant_removed');
    assert.equal(
      await helloCode({ user: 'mallory', room: 'p-removed', participant: 'mallory-2', powersVersion: 7 }),
      'participant_removed',
    );
    assert.ok(sfu.audit.events.some((e) => e.action === 'sfu.remove' && e.target === 'mallory-1'));
  });

  test('once a newer ticket of a session was used, an older one is refused with ticket_superseded', async () => {
    const now = Math.floor(Date.now() / 1000);
    const older = await sfu.signer.sign({
      user: 'carol',
      room: 'p-newer',
      participant: 'carol-1',
      powersVersion: 3,
      issuedAt: now,
    });
    await enter({
      user: 'carol',
      room: 'p-newer',
      participant: 'carol-1',
      powersVersion: 3,
      issuedAt: now + 2,
    });
    const client = await sfu.connect();
    clients.push(client);
    assert.equal(await codeOf(client.hello(older)), 'ticket_superseded');
  });

  test('a ticket issued before the meeting ended is refused with meeting_ended', async () => {
    await enter({ user: 'alice', room: 'p-ended', participant: 'alice-1', powersVersion: 1 });
    const ended = await sfu.internal('POST', '/internal/v1/rooms/p-ended/end', {
      version: 2,
      actor: 'alice',
    });
    assert.deepEqual([ended.status, ended.body], [200, { ok: true, live: true }]);
    assert.equal(
      await helloCode({ user: 'bob', room: 'p-ended', participant: 'bob-1', powersVersion: 1 }),
      'meeting_ended',
    );
  });

  test('a ticket issued before the SFU started is refused with ticket_superseded (the SFU forgot the changes before it)', async () => {
    const before = Math.floor(Date.now() / 1000) - 60;
    assert.equal(
      await helloCode({
        user: 'carol',
        room: 'p-restart',
        participant: 'carol-1',
        powersVersion: 9,
        issuedAt: before,
        expiresIn: 120,
      }),
      'ticket_superseded',
    );
  });

  test('the internal API refuses a power without its version or for another route with bad_request and not_found', async () => {
    const unversioned = await sfu.internal('POST', participantPath('p-api', 'carol-1', 'pause'), {
      source: 'microphone',
      actor: 'alice',
    });
    assert.deepEqual([unversioned.status, (unversioned.body as { code: string }).code], [400, 'bad_request']);
    const unknown = await sfu.internal('POST', participantPath('p-api', 'carol-1', 'unmute'), {
      version: 1,
      actor: 'alice',
    });
    assert.deepEqual([unknown.status, (unknown.body as { code: string }).code], [404, 'not_found']);
    assert.equal(
      await helloCode({ user: 'carol', room: 'p-api', participant: 'carol-1', powersVersion: 0 }),
      'ok',
      'a refused power records nothing',
    );
  });
});
