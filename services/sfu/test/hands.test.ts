import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignallingError, type SignallingClient } from '@conclave/client';
import type { ServerNotification } from '@conclave/protocol';
import type { TicketClaimsInput } from '@conclave/testing';
import { startSfu, type SfuFixture } from './support/sfu-fixture';

type HandChanged = Extract<ServerNotification, { type: 'handChanged' }>;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof SignallingError);
    return error.code;
  }
}

/** Every handChanged a client receives, in order. */
function recordHands(client: SignallingClient): HandChanged[] {
  const seen: HandChanged[] = [];
  client.on('handChanged', (message) => seen.push(message));
  return seen;
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Raised hands through a real SFU: the raiser's own signalling, organisers through the internal API. */
describe('hands', () => {
  let sfu: SfuFixture;
  const clients: SignallingClient[] = [];
  before(async () => {
    sfu = await startSfu();
  });
  after(async () => {
    for (const client of clients) client.close();
    await sfu.close();
  });

  /** Joins the room and returns the client with the hand notifications it received from `hello` on. */
  const enter = async (claims: TicketClaimsInput) => {
    const { client, hello } = await sfu.join(claims);
    clients.push(client);
    const hands = recordHands(client);
    await client.request('join', { rtpCapabilities: hello.routerRtpCapabilities });
    return { client, hands };
  };
  const claims = (room: string, user: string): TicketClaimsInput => ({
    user,
    room,
    participant: `${user}-1`,
    powersVersion: 1,
  });

  test('setHand raises a hand every participant hears of (the raiser too), a later joiner is told after join, and lowering it is heard too', async () => {
    const alice = await enter(claims('h-raise', 'alice'));
    const bob = await enter(claims('h-raise', 'bob'));
    assert.deepEqual(await bob.client.request('setHand', { raised: true }), {});
    const raised = { type: 'handChanged', participantId: 'bob-1', raised: true, by: 'self' };
    await until('both to hear of the hand', () => alice.hands.length === 1 && bob.hands.length === 1);
    assert.deepEqual([alice.hands[0], bob.hands[0]], [raised, raised]);

    const carol = await enter(claims('h-raise', 'carol'));
    assert.deepEqual(carol.hands, [raised], 'the joiner learns the raised hand with its join');

    await bob.client.request('setHand', { raised: true });
    await bob.client.request('setHand', { raised: false });
    const lowered = { ...raised, raised: false };
    await until('the lowering', () => carol.hands.length === 2);
    assert.deepEqual(carol.hands, [raised, lowered], 'raising a raised hand again is not repeated');
  });

  test('a hostile participant cannot lower or raise someone else’s hand: setHand naming another participant or forged is refused, and the hand stays raised', async () => {
    const bob = await enter(claims('h-hostile', 'bob'));
    const mallory = await enter(claims('h-hostile', 'mallory'));
    await bob.client.request('setHand', { raised: true });
    await until('mallory to see the hand', () => mallory.hands.length === 1);

    const forged = [
      { raised: false, participantId: 'bob-1' },
      { raised: 'false' },
      { raised: false, by: 'organiser' },
    ];
    for (const payload of forged)
      assert.equal(
        await codeOf(mallory.client.request('setHand', payload as never)),
        'malformed_message',
        JSON.stringify(payload),
      );
    // A notification sent as a request is not one the server takes.
    assert.equal(
      await codeOf(
        mallory.client.request(
          'handChanged' as never,
          {
            participantId: 'bob-1',
            raised: false,
            by: 'organiser',
          } as never,
        ),
      ),
      'unknown_type',
    );

    const late = await enter(claims('h-hostile', 'dave'));
    assert.deepEqual(
      late.hands,
      [{ type: 'handChanged', participantId: 'bob-1', raised: true, by: 'self' }],
      'bob’s hand is still raised',
    );
    assert.equal(bob.hands.filter((message) => !message.raised).length, 0, 'nobody heard bob’s hand go down');
  });

  test('the internal API lowers one hand and then every hand, heard as lowered by an organiser; an absent session is not live', async () => {
    const alice = await enter(claims('h-organiser', 'alice'));
    const bob = await enter(claims('h-organiser', 'bob'));
    const carol = await enter(claims('h-organiser', 'carol'));
    await bob.client.request('setHand', { raised: true });
    await carol.client.request('setHand', { raised: true });
    await until('both hands at alice', () => alice.hands.length === 2);

    const one = await sfu.internal('POST', '/internal/v1/rooms/h-organiser/participants/bob-1/lower-hand', {
      actor: 'alice',
    });
    assert.deepEqual([one.status, one.body], [200, { ok: true, live: true }]);
    await until('bob’s hand down at alice', () => alice.hands.length === 3);
    assert.deepEqual(alice.hands[2], {
      type: 'handChanged',
      participantId: 'bob-1',
      raised: false,
      by: 'organiser',
    });

    const all = await sfu.internal('POST', '/internal/v1/rooms/h-organiser/lower-hands', { actor: 'alice' });
    assert.deepEqual([all.status, all.body], [200, { ok: true, live: true }]);
    await until('carol’s hand down at bob', () =>
      bob.hands.some((m) => m.participantId === 'carol-1' && !m.raised),
    );
    assert.deepEqual(carol.hands.at(-1), {
      type: 'handChanged',
      participantId: 'carol-1',
      raised: false,
      by: 'organiser',
    });
    const nowhere = await sfu.internal('POST', '/internal/v1/rooms/h-nowhere/lower-hands', {
      actor: 'alice',
    });
    assert.deepEqual(nowhere.body, { ok: true, live: false }, 'no such room is live');

    const absent = await sfu.internal(
      'POST',
      '/internal/v1/rooms/h-organiser/participants/zoe-1/lower-hand',
      {
        actor: 'alice',
      },
    );
    assert.deepEqual([absent.status, absent.body], [200, { ok: true, live: false }]);
    const extra = await sfu.internal('POST', '/internal/v1/rooms/h-organiser/lower-hands', {
      actor: 'alice',
      version: 3,
    });
    assert.equal(extra.status, 400, 'a body with unknown fields is refused');
    assert.ok(sfu.audit.events.some((entry) => entry.action === 'sfu.lower-hands'));
  });
});
