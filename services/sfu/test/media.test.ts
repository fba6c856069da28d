import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignallingError, type SignallingClient } from '@conclave/client';
import { parseRtp } from '@conclave/testing';
import { startSfu, type SfuFixture } from './support/sfu-fixture';
import { publishPlain, subscribePlain, waitFor } from './support/plain-rtp';

async function joinRoom(
  sfu: SfuFixture,
  user: string,
  room: string,
  rights?: Parameters<SfuFixture['join']>[0]['rights'],
) {
  const { client, hello } = await sfu.join({
    user,
    room,
    participant: `${user}-1`,
    ...(rights ? { rights } : {}),
  });
  await client.request('join', { rtpCapabilities: hello.routerRtpCapabilities });
  return { client, hello };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof SignallingError);
    return error.code;
  }
}

/** The text markers the publisher put in each forwarded payload. */
function payloads(packets: Buffer[]): string[] {
  return packets
    .map(parseRtp)
    .filter((p) => p !== undefined)
    .map((p) => /[a-z]+-\d+/.exec(p.payload.toString('latin1'))?.[0] ?? '');
}

describe('SFU media over plain RTP', () => {
  let sfu: SfuFixture;
  const clients: SignallingClient[] = [];
  before(async () => {
    sfu = await startSfu({ media: { plainTransport: { enabled: true, listenIp: '127.0.0.1' } } });
  });
  after(async () => {
    for (const c of clients) c.close();
    await sfu.close();
  });

  test('a consumer receives exactly the RTP payloads the publisher sent', async () => {
    const alice = await joinRoom(sfu, 'alice', 'm-forward');
    const bob = await joinRoom(sfu, 'bob', 'm-forward');
    clients.push(alice.client, bob.client);
    const camera = await publishPlain(alice.client, 'camera', 1111);
    await camera.send(1, 'warmup');
    const sub = await subscribePlain(bob.client, camera.producerId);
    await camera.send(20, 'forward');
    await waitFor(
      () => payloads(sub.receiver.packets).filter((p) => p.startsWith('forward')).length >= 20,
      3000,
      'forwarded RTP',
    );
    const received = payloads(sub.receiver.packets).filter((p) => p.startsWith('forward'));
    assert.equal(received.length, 20);
    const sequence = received.map((p) => Number(p.split('-')[1]));
    assert.deepEqual(
      sequence,
      [...sequence].sort((a, b) => a - b),
      'in order',
    );
    camera.close();
    sub.receiver.close();
  });

  test('a receiver asks for a keyframe: the publisher gets a PLI, and asks repeated within a second are coalesced', async () => {
    const alice = await joinRoom(sfu, 'alice', 'm-keyframe');
    const bob = await joinRoom(sfu, 'bob', 'm-keyframe');
    clients.push(alice.client, bob.client);
    const camera = await publishPlain(alice.client, 'camera', 2222);
    await camera.send(1, 'warmup');
    const sub = await subscribePlain(bob.client, camera.producerId);
    await camera.send(5, 'flow');
    // Creating and resuming the consumer asked for a keyframe already: wait for that one to pass.
    await waitFor(() => camera.pliCount() >= 1, 3000, 'the PLI of the new consumer');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = camera.pliCount();
    const consumerId = sub.consumer.consumerId;
    assert.deepEqual(await bob.client.request('requestKeyFrame', { consumerId }), { requested: true });
    assert.deepEqual(await bob.client.request('requestKeyFrame', { consumerId }), { requested: false });
    await waitFor(() => camera.pliCount() > before, 3000, 'a PLI at the publisher');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(camera.pliCount(), before + 1, 'one PLI for two asks');
    assert.equal(
      await codeOf(bob.client.request('requestKeyFrame', { consumerId: 'no-such-consumer' })),
      'not_found',
    );
    // Only the receiving participant may ask: another participant does not hold this consumer.
    assert.equal(await codeOf(alice.client.request('requestKeyFrame', { consumerId })), 'not_found');
    camera.close();
    sub.receiver.close();
  });

  test('produce without the right for its source is refused with right_missing and creates nothing', async () => {
    const viewer = await joinRoom(sfu, 'viewer', 'm-rights', ['consume', 'chat']);
    clients.push(viewer.client);
    await assert.rejects(
      publishPlain(viewer.client, 'camera', 2222),
      (e: SignallingError) => e.code === 'right_missing',
    );
    await assert.rejects(
      publishPlain(viewer.client, 'screen', 2223),
      (e: SignallingError) => e.code === 'right_missing',
    );
    const rooms = (await sfu.internal('GET', '/internal/v1/rooms')).body as {
      rooms: { roomId: string; participants: { producers: unknown[] }[] }[];
    };
    const room = rooms.rooms.find((r) => r.roomId === 'm-rights')!;
    assert.equal(room.participants[0]!.producers.length, 0);
  });

  test('consume without the consume right is refused with right_missing', async () => {
    const speaker = await joinRoom(sfu, 'speaker', 'm-consume');
    const deaf = await joinRoom(sfu, 'deaf', 'm-consume', ['produce:audio']);
    clients.push(speaker.client, deaf.client);
    const mic = await publishPlain(speaker.client, 'microphone', 3333);
    const transport = await deaf.client.request('createTransport', { direction: 'recv', transport: 'plain' });
    assert.equal(
      await codeOf(
        deaf.client.request('consume', { transportId: transport.transportId, producerId: mic.producerId }),
      ),
      'right_missing',
    );
    mic.close();
  });

  test('revoking produce:video through the internal API closes the camera within 200 ms and refuses a new one', async () => {
    const alice = await joinRoom(sfu, 'alice', 'm-revoke');
    const bob = await joinRoom(sfu, 'bob', 'm-revoke');
    clients.push(alice.client, bob.client);
    const camera = await publishPlain(alice.client, 'camera', 4444);
    await camera.send(1, 'warmup');
    const sub = await subscribePlain(bob.client, camera.producerId);
    await camera.send(5, 'before');
    await waitFor(
      () => payloads(sub.receiver.packets).some((p) => p.startsWith('before')),
      3000,
      'media before revocation',
    );

    const closed = alice.client.next('producerClosed', (m) => m.producerId === camera.producerId);
    const consumerClosed = bob.client.next('consumerClosed', (m) => m.consumerId === sub.consumer.consumerId);
    const started = performance.now();
    const response = await sfu.internal('PUT', '/internal/v1/rooms/m-revoke/participants/alice-1/rights', {
      rights: ['produce:audio', 'consume', 'chat'],
      version: 1,
      actor: 'organiser-1',
    });
    assert.equal(response.status, 200);
    assert.equal((await closed).reason, 'right-revoked');
    await consumerClosed;
    assert.ok(performance.now() - started < 200, `took ${performance.now() - started} ms`);

    const countAfter = sub.receiver.packets.length;
    await camera.send(10, 'after');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(
      payloads(sub.receiver.packets.slice(countAfter)).filter((p) => p.startsWith('after')).length,
      0,
    );
    const rights = await alice.client.next('rightsChanged', () => true, 100).catch(() => undefined);
    assert.equal(rights, undefined, 'rightsChanged was already delivered before producerClosed resolved');
    await assert.rejects(
      publishPlain(alice.client, 'camera', 4445),
      (e: SignallingError) => e.code === 'right_missing',
    );
    assert.ok(
      sfu.audit.events.some(
        (e) => e.action === 'sfu.rights' && e.actor === 'organiser-1' && e.target === 'alice-1',
      ),
    );
    camera.close();
    sub.receiver.close();
  });

  test('removal through the internal API disconnects the participant and refuses its user afterwards', async () => {
    const alice = await joinRoom(sfu, 'alice', 'm-remove');
    const mallory = await joinRoom(sfu, 'mallory', 'm-remove');
    clients.push(alice.client);
    const removed = mallory.client.next('removed');
    const left = alice.client.next('peerLeft', (m) => m.participantId === 'mallory-1');
    const closedCode = new Promise<number>((resolve) => mallory.client.onClose((code) => resolve(code)));
    const response = await sfu.internal('POST', '/internal/v1/rooms/m-remove/participants/mallory-1/remove', {
      userId: 'mallory',
      bar: true,
      version: 1,
      actor: 'alice',
    });
    assert.equal(response.status, 200);
    assert.equal((await removed).reason, 'removed-by-organiser');
    await left;
    assert.equal(await closedCode, 4003);
    const again = await sfu.connect();
    clients.push(again);
    const ticket = await sfu.signer.sign({ user: 'mallory', room: 'm-remove', participant: 'mallory-2' });
    assert.equal(await codeOf(again.hello(ticket)), 'participant_removed');
  });

  test('a worker killed with SIGKILL mid-call is replaced and both sides have media again within 3 s', async () => {
    const alice = await joinRoom(sfu, 'alice', 'm-crash');
    const bob = await joinRoom(sfu, 'bob', 'm-crash');
    clients.push(alice.client, bob.client);
    let camera = await publishPlain(alice.client, 'camera', 5555);
    await camera.send(1, 'warmup');
    let sub = await subscribePlain(bob.client, camera.producerId);
    await camera.send(5, 'live');
    await waitFor(
      () => payloads(sub.receiver.packets).some((p) => p.startsWith('live')),
      3000,
      'media before the crash',
    );

    const pid = sfu.server.pool.workers[0]!.worker.pid;
    const resets = Promise.all([alice.client.next('mediaReset'), bob.client.next('mediaReset')]);
    const killedAt = performance.now();
    process.kill(pid, 'SIGKILL');
    await resets;
    camera.close();
    sub.receiver.close();

    // What a client does on mediaReset: set its media up again on the same signalling session.
    const republished = bob.client.next('producerAdded');
    camera = await publishPlain(alice.client, 'camera', 5556);
    const { producer } = await republished;
    await camera.send(1, 'warmup');
    sub = await subscribePlain(bob.client, producer.producerId);
    await camera.send(5, 'back');
    await waitFor(
      () => payloads(sub.receiver.packets).some((p) => p.startsWith('back')),
      3000,
      'media after the crash',
    );
    const recovery = performance.now() - killedAt;
    assert.ok(recovery < 3000, `recovered in ${recovery.toFixed(0)} ms`);
    assert.notEqual(sfu.server.pool.workers[0]!.worker.pid, pid);
    camera.close();
    sub.receiver.close();
  });
});
