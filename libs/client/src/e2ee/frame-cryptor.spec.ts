import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeKid } from '@conclave/e2ee';
import { FrameCryptor, type EncodedFrame } from './frame-cryptor';
import type { FromWorker, ToWorker, TransformOptions } from './worker-protocol';

/** Leaves 0..2 of a three-member epoch: S = 2 bits (RFC 9605 §5.2). */
const SENDER_BITS = 2;
const LEAF = { alice: 0, bob: 1, carol: 2 } as const;
type Name = keyof typeof LEAF;

const kidOf = (name: Name, epoch: bigint) => encodeKid(epoch, LEAF[name], SENDER_BITS);
const opus = (direction: 'send' | 'recv', participantId: string): TransformOptions => ({
  direction,
  kind: 'audio',
  codec: 'opus',
  participantId,
});

/** One client's transform worker: its cryptor, what it posted to the page, and a clock the test moves. */
function client(self: Name) {
  const posted: FromWorker[] = [];
  const clock = { now: 0 };
  const cryptor = new FrameCryptor(
    (message) => posted.push(message),
    () => clock.now,
  );
  /** The keys of `epoch` as the E2EE session hands them over: ours to send, the others' to receive. */
  const enter = (epoch: bigint, baseKey: Uint8Array) => {
    const message: ToWorker = {
      type: 'epoch',
      epoch,
      send: { kid: kidOf(self, epoch), baseKey: baseKey.slice() },
      receive: (Object.keys(LEAF) as Name[])
        .filter((n) => n !== self)
        .map((n) => ({ kid: kidOf(n, epoch), baseKey: baseKey.slice(), participantId: n })),
    };
    return cryptor.onMessage(message);
  };
  const errors = () => posted.filter((m) => m.type === 'error');
  return { cryptor, posted, clock, enter, errors };
}

/** Runs frames through one transform and returns what came out of it. */
async function through(
  cryptor: FrameCryptor,
  options: TransformOptions,
  frames: readonly Uint8Array[],
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const readable = new ReadableStream<EncodedFrame>({
    start(controller) {
      for (const frame of frames) controller.enqueue({ data: frame.slice().buffer });
      controller.close();
    },
  });
  await readable.pipeThrough(cryptor.transformStream(options)).pipeTo(
    new WritableStream<EncodedFrame>({
      write(frame) {
        out.push(new Uint8Array(frame.data));
      },
    }),
  );
  return out;
}

const frames = (label: string, n: number) =>
  Array.from({ length: n }, (_, i) => new TextEncoder().encode(`${label} frame ${i}`));
const randomKey = () => crypto.getRandomValues(new Uint8Array(32));

describe('FrameCryptor', () => {
  it("refuses a frame under bob's KID that arrives on carol's track: dropped, counted, carol shown failed", async () => {
    const [alice, bob] = [client('alice'), client('bob')];
    const key = randomKey();
    await alice.enter(1n, key);
    await bob.enter(1n, key);
    const plain = frames('bob', 3);
    const fromBob = await through(bob.cryptor, opus('send', 'bob'), plain);
    assert.equal(fromBob.length, 3);

    // The SFU relabels bob's media as carol's: alice holds carol's key too, but the KID is bob's.
    const asCarol = await through(alice.cryptor, opus('recv', 'carol'), fromBob);
    assert.deepEqual(asCarol, []);
    alice.clock.now = 3000;
    assert.deepEqual(await through(alice.cryptor, opus('recv', 'carol'), fromBob), []);
    const counters = alice.cryptor.countersSnapshot();
    assert.ok(counters.type === 'counters');
    assert.deepEqual([counters.decrypted, counters.droppedUndecryptable], [0, 6]);
    assert.ok(
      alice.posted.some((m) => m.type === 'state' && m.participantId === 'carol' && m.state === 'failed'),
    );

    // Bob's next frames on bob's own track decrypt: the refusal above was the label, not the key.
    const more = frames('bob next', 3);
    const asBob = await through(
      alice.cryptor,
      opus('recv', 'bob'),
      await through(bob.cryptor, opus('send', 'bob'), more),
    );
    assert.deepEqual(asBob, more);
  });

  it('keeps sending and decrypting for 100 epochs whose KIDs recur every 16 (E = 4), and reports no error', async () => {
    const [alice, bob] = [client('alice'), client('bob')];
    const kids = new Set<bigint>();
    for (let epoch = 1n; epoch <= 100n; epoch++) {
      const key = randomKey();
      await alice.enter(epoch, key);
      await bob.enter(epoch, key);
      // The epoch before last leaves its grace period: the session retires its KIDs.
      if (epoch > 2n) {
        const retire: ToWorker = {
          type: 'retire',
          kids: (Object.keys(LEAF) as Name[]).map((n) => kidOf(n, epoch - 2n)),
        };
        await alice.cryptor.onMessage(retire);
        await bob.cryptor.onMessage(retire);
      }
      kids.add(kidOf('bob', epoch));
      const plain = frames(`epoch ${epoch}`, 2);
      const received = await through(
        alice.cryptor,
        opus('recv', 'bob'),
        await through(bob.cryptor, opus('send', 'bob'), plain),
      );
      assert.deepEqual(received, plain, `bob's frames of epoch ${epoch} decrypt at alice`);
    }
    assert.equal(kids.size, 16, 'the KIDs did recur');
    assert.deepEqual([...alice.errors(), ...bob.errors()], []);
  });

  it('a KID that comes back while its key of 16 epochs earlier is still installed gets the new key', async () => {
    // A client that never retires keys (as a modified one would not): the old key must not shadow the new one.
    const [alice, bob] = [client('alice'), client('bob')];
    for (const epoch of [1n, 17n]) {
      const key = randomKey();
      await alice.enter(epoch, key);
      await bob.enter(epoch, key);
    }
    assert.equal(kidOf('bob', 1n), kidOf('bob', 17n));
    const plain = frames('epoch 17', 2);
    const sent = await through(bob.cryptor, opus('send', 'bob'), plain);
    assert.deepEqual(await through(alice.cryptor, opus('recv', 'bob'), sent), plain);
    assert.deepEqual([...alice.errors(), ...bob.errors()], []);
  });

  it('a re-created group (clear, then epoch 0 again with a new key) sends and decrypts under the same KIDs at once', async () => {
    const [alice, bob] = [client('alice'), client('bob')];
    for (const round of ['first group', 're-created group']) {
      const key = randomKey();
      await alice.enter(0n, key);
      await bob.enter(0n, key);
      const plain = frames(round, 2);
      const sent = await through(bob.cryptor, opus('send', 'bob'), plain);
      assert.deepEqual(await through(alice.cryptor, opus('recv', 'bob'), sent), plain, round);
      await alice.cryptor.onMessage({ type: 'clear' });
      await bob.cryptor.onMessage({ type: 'clear' });
    }
    assert.deepEqual([...alice.errors(), ...bob.errors()], []);
  });

  it('a send key that cannot be installed is reported as send_key_refused, and nothing is sent under the old key', async () => {
    const bob = client('bob');
    await bob.enter(1n, randomKey());
    assert.equal((await through(bob.cryptor, opus('send', 'bob'), frames('epoch 1', 1))).length, 1);
    await bob.enter(2n, new Uint8Array(0));
    assert.deepEqual(await through(bob.cryptor, opus('send', 'bob'), frames('epoch 2', 2)), []);
    const errors = bob.errors();
    assert.ok(
      errors.some((e) => e.type === 'error' && e.code === 'send_key_refused' && /bad_key/.test(e.message)),
    );
    assert.ok(
      errors.some(
        (e) => e.type === 'error' && e.code === 'receive_key_refused' && e.participantId === 'alice',
      ),
    );
    assert.ok(
      bob.posted.some((m) => m.type === 'state' && m.participantId === 'alice' && m.state === 'failed'),
    );
  });
});
