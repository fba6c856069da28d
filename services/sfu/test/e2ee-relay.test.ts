import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { E2eeSession, SignallingError, type ToWorker } from '@conclave/client';
import type { E2eeSuite } from '@conclave/protocol';
import { startSfu, type SfuFixture } from './support/sfu-fixture';

/** Where an E2eeSession sends SFrame keys; here nothing encrypts frames, only the MLS group is under test. */
const noFrames = { postMessage: (_message: ToWorker) => undefined } as unknown as Worker;

/** A participant's MLS session through the real SFU (real MLS, in Node); resolves at its first epoch ≥ `epoch`. */
async function member(sfu: SfuFixture, user: string, room: string, suite?: E2eeSuite) {
  const { client, hello } = await sfu.join({
    user,
    room,
    participant: `${user}-${room}`,
    ...(suite !== undefined ? { mlsSuite: suite } : {}),
  });
  const session = new E2eeSession(
    client,
    noFrames,
    { participantId: hello.participantId, userId: user },
    hello.e2ee,
    sfu.credentials.identity({ user, room, participant: hello.participantId }),
  );
  const epochs: { epoch: bigint; code: string }[] = [];
  session.on('epoch', (epoch, code) => epochs.push({ epoch, code }));
  await session.start();
  const reached = async (epoch: bigint, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!epochs.some((e) => e.epoch >= epoch)) {
      if (Date.now() > deadline) throw new Error(`${user} never reached epoch ${epoch}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return epochs.find((e) => e.epoch >= epoch)!;
  };
  return {
    client,
    hello,
    reached,
    codeAt: async (epoch: bigint) => epochs.find((e) => e.epoch === epoch)?.code,
    close: async () => {
      await session.close();
      client.close();
    },
  };
}

describe("a room's MLS suite comes from its join tickets (the meeting's security setting)", () => {
  let sfu: SfuFixture;
  before(async () => {
    sfu = await startSfu();
  });
  after(() => sfu.close());

  test('tickets naming X-Wing give an X-Wing group: two members reach one epoch and one safety code', async () => {
    const alice = await member(sfu, 'alice', 'pq-room', 'xwing-pq');
    const bob = await member(sfu, 'bob', 'pq-room', 'xwing-pq');
    try {
      assert.equal(alice.hello.e2ee.suite, 'xwing-pq');
      assert.equal(bob.hello.e2ee.suite, 'xwing-pq');
      const [a, b] = await Promise.all([alice.reached(1n), bob.reached(1n)]);
      assert.equal(a.epoch, b.epoch);
      assert.equal(a.code, b.code);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  test('each suite has its own external-sender key; a ticket naming no suite gets the configured default', async () => {
    const pq = await member(sfu, 'carol', 'pq-room-2', 'xwing-pq');
    const plain = await member(sfu, 'dave', 'default-room');
    try {
      assert.equal(plain.hello.e2ee.suite, 'aes256');
      assert.notEqual(plain.hello.e2ee.externalSenderKey, pq.hello.e2ee.externalSenderKey);
    } finally {
      await pq.close();
      await plain.close();
    }
  });

  test('a ticket naming another suite than the live room is refused with suite_mismatch and leaves it as it was', async () => {
    const erin = await member(sfu, 'erin', 'aes-room', 'aes256');
    try {
      await erin.reached(0n);
      const failuresBefore = sfu.audit.events.filter((e) => e.reason === 'suite_mismatch').length;
      const client = await sfu.connect();
      const refused = await client
        .hello(await sfu.signer.sign({ user: 'frank', room: 'aes-room', mlsSuite: 'xwing-pq' }))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      client.close();
      assert.ok(refused instanceof SignallingError);
      assert.equal(refused.code, 'suite_mismatch');
      assert.equal(sfu.audit.events.filter((e) => e.reason === 'suite_mismatch').length, failuresBefore + 1);
      const rooms = await sfu.internal('GET', '/internal/v1/rooms');
      const room = (rooms.body as { rooms: { roomId: string; participants: unknown[] }[] }).rooms.find(
        (r) => r.roomId === 'aes-room',
      );
      assert.equal(room?.participants.length, 1, 'frank is not in the room');
    } finally {
      await erin.close();
    }
  });
});

describe('the SFU sequences commits', () => {
  let sfu: SfuFixture;
  before(async () => {
    sfu = await startSfu({ e2ee: { commitTimeoutMs: 1000 } });
  });
  after(() => sfu.close());

  test('a joiner whose Add arrives while the committer is committing is added in the next epoch', async () => {
    const alice = await member(sfu, 'alice', 'race-room');
    await alice.reached(0n);
    // Hold Alice's commit (adding Bob) on its way to the SFU until Carol's Add has been proposed too.
    let holding = false;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const send = alice.client.request.bind(alice.client);
    alice.client.request = (async (type: string, payload: unknown) => {
      if (type === 'mlsCommit' && !holding) {
        holding = true;
        await released;
      }
      return send(type as never, payload as never);
    }) as typeof alice.client.request;
    const bob = await member(sfu, 'bob', 'race-room');
    const deadline = Date.now() + 10_000;
    while (!holding) {
      if (Date.now() > deadline) throw new Error('alice never committed');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const carol = await member(sfu, 'carol', 'race-room');
    release();
    try {
      // Bob's commit did not carry Carol; the SFU proposes her again and the next commit adds her.
      const [a, b, c] = await Promise.all([alice.reached(2n), bob.reached(2n), carol.reached(2n)]);
      assert.equal(c.epoch, 2n);
      assert.equal(a.code, b.code);
      assert.equal(b.code, c.code);
    } finally {
      await Promise.all([alice.close(), bob.close(), carol.close()]);
    }
  });

  test('a commit claiming a proposal the SFU never made is refused with commit_rejected and changes nothing', async () => {
    const alice = await member(sfu, 'alice', 'claim-room');
    await alice.reached(0n);
    let refusal: unknown;
    const send = alice.client.request.bind(alice.client);
    alice.client.request = (async (type: string, payload: { covers?: { added: string[] } }) => {
      if (type !== 'mlsCommit') return send(type as never, payload as never);
      const forged = {
        ...payload,
        covers: { ...payload.covers, added: [...payload.covers!.added, 'bm9ib2R5'] },
      };
      return send(type, forged as never).catch((error: unknown) => {
        refusal = error;
        throw error;
      });
    }) as typeof alice.client.request;
    const bob = await member(sfu, 'bob', 'claim-room');
    try {
      const deadline = Date.now() + 10_000;
      while (refusal === undefined) {
        if (Date.now() > deadline) throw new Error('alice never committed');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(refusal instanceof SignallingError);
      assert.equal(refusal.code, 'commit_rejected');
      const observer = await sfu.join({ user: 'olga', room: 'claim-room', participant: 'olga-claim' });
      assert.equal(observer.hello.e2ee.epoch, 0, 'the group is still at epoch 0');
      observer.client.close();
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  test('a committer that does not commit in time is replaced: the next member commits, and the late one follows', async () => {
    const alice = await member(sfu, 'alice', 'late-room');
    await alice.reached(0n);
    const bob = await member(sfu, 'bob', 'late-room');
    await Promise.all([alice.reached(1n), bob.reached(1n)]);
    // From now on Alice's commits hang on their way out, as from a frozen tab, until released.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let late: unknown;
    const send = alice.client.request.bind(alice.client);
    alice.client.request = (async (type: string, payload: unknown) => {
      if (type !== 'mlsCommit') return send(type as never, payload as never);
      await released;
      return send(type, payload as never).catch((error: unknown) => {
        late = error;
        throw error;
      });
    }) as typeof alice.client.request;
    const asked = Date.now();
    const carol = await member(sfu, 'carol', 'late-room');
    try {
      const [b, c] = await Promise.all([bob.reached(2n), carol.reached(2n)]);
      assert.ok(Date.now() - asked >= 1000, 'bob committed only after alice had her time');
      assert.equal(b.code, c.code);
      release();
      const a = await alice.reached(2n);
      assert.equal(a.code, b.code, 'alice dropped her late commit and followed bob');
      assert.ok(late instanceof SignallingError);
      assert.equal(late.code, 'stale_epoch');
    } finally {
      release();
      await Promise.all([alice.close(), bob.close(), carol.close()]);
    }
  });
});

describe('members refresh their own leaves (post-compromise security)', () => {
  let sfu: SfuFixture;
  before(async () => {
    sfu = await startSfu({ e2ee: { updateIntervalMs: 200 } });
  });
  after(() => sfu.close());

  test('without any membership change, members commit updates of their own leaves and all stay on one safety code', async () => {
    const alice = await member(sfu, 'alice', 'pcs-room');
    await alice.reached(0n);
    const bob = await member(sfu, 'bob', 'pcs-room');
    const committers = { alice: new Set<string>(), bob: new Set<string>() };
    alice.client.on('mlsCommit', (m) => committers.alice.add(m.from));
    bob.client.on('mlsCommit', (m) => committers.bob.add(m.from));
    try {
      assert.equal(alice.hello.e2ee.updateIntervalMs, 200);
      // Who updates is whoever's jittered timer fires first: over 20 updates both will have (odds against: ~1e-6).
      const [a, b] = await Promise.all([alice.reached(21n, 30_000), bob.reached(21n, 30_000)]);
      assert.ok(committers.alice.has('bob-pcs-room'), 'alice saw an update from bob');
      assert.ok(committers.bob.has('alice-pcs-room'), 'bob saw an update from alice');
      // Compare the codes of one epoch both went through.
      const epoch = a.epoch < b.epoch ? a.epoch : b.epoch;
      assert.equal(await alice.codeAt(epoch), await bob.codeAt(epoch));
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });
});
