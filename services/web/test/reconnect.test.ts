import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { inboundVideo, pageState, startMeeting, until, type MeetingFixture } from './support/meeting-fixture';

/**
 * Keeps a handle on every WebSocket the page opens, so the test can cut its signalling connection, and counts
 * the key erasures (`clear`) the page sends its transform worker.
 */
const HANDLES = `(() => {
  const NativeSocket = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends NativeSocket {
    constructor(url, protocols) {
      super(url, protocols);
      window.__sockets.push(this);
    }
  };
  const NativeWorker = window.Worker;
  window.__clears = 0;
  window.Worker = class extends NativeWorker {
    postMessage(message, transfer) {
      if (message && message.type === 'clear') window.__clears++;
      return super.postMessage(message, transfer);
    }
  };
})();`;

const clears = (page: Page) => page.evaluate(() => (window as unknown as { __clears: number }).__clears);

/** Cuts the page's live signalling connection (as a dropped network would, from the page's side). */
async function cutSignalling(page: Page): Promise<void> {
  await page.evaluate(() => {
    const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets;
    const live = sockets.filter((s) => s.readyState === WebSocket.OPEN);
    if (live.length !== 1) throw new Error(`${live.length} open signalling connections`);
    live[0]!.close(4000, 'cut by the test');
  });
}

/** Video consumers of `participantId` on the page that decoded more than `frames` frames. */
async function decodingFrom(page: Page, participantId: string, frames: number): Promise<string[]> {
  return (await inboundVideo(page))
    .filter((s) => s.participantId === participantId && s.framesDecoded > frames)
    .map((s) => s.consumerId);
}

describe('a page whose signalling connection drops rejoins the meeting by itself', () => {
  let meeting: MeetingFixture;
  let alice: Page;
  let bob: Page;
  before(async () => {
    meeting = await startMeeting();
    alice = await meeting.open('alice', 'room-reconnect', { video: '320x180', init: HANDLES });
    bob = await meeting.open('bob', 'room-reconnect', { video: '320x180' });
  });
  after(() => meeting.close());

  test('cutting the connection: the page rejoins with a fresh ticket and a new MLS leaf, and media flows again both ways', async () => {
    const codes = await until(
      async () => [
        await pageState<string>(alice, 'c.safetyCode'),
        await pageState<string>(bob, 'c.safetyCode'),
      ],
      ([a, b]) => a !== undefined && a === b,
      20_000,
      'both in the group',
    );
    await until(
      () => decodingFrom(bob, 'alice-web', 10),
      (c) => c.length > 0,
      20_000,
      'alice at bob',
    );
    const bobSawBefore = await decodingFrom(bob, 'alice-web', 0);
    const aliceSawBefore = await decodingFrom(alice, 'bob-web', 0);
    const epochBefore = BigInt(await pageState<string>(alice, 'c.epoch'));
    const kidsBefore = (await pageState<string[]>(alice, 'c.sendKids')).length;

    const clearsBefore = await clears(alice);
    await cutSignalling(alice);

    await until(
      () => pageState<number>(alice, 'c.reconnections'),
      (n) => n === 1,
      20_000,
      'alice reconnected',
    );
    assert.deepEqual(await pageState<string[]>(alice, 'c.phases'), ['joined', 'reconnecting', 'joined']);
    assert.equal(meeting.credentials.ticketsIssued, 1, 'one fresh ticket from room control');
    assert.ok(
      (await clears(alice)) > clearsBefore,
      "the lost connection's keys were erased before rejoining",
    );
    // The same meeting, a later epoch, the same safety code on both pages (the group rekeyed around the new leaf).
    const [aliceCode, bobCode] = await until(
      async () => [
        await pageState<string>(alice, 'c.safetyCode'),
        await pageState<string>(bob, 'c.safetyCode'),
      ],
      ([a, b]) => a !== undefined && a === b && a !== codes[0],
      20_000,
      'a new common safety code',
    );
    assert.equal(aliceCode, bobCode);
    assert.ok(BigInt(await pageState<string>(alice, 'c.epoch')) > epochBefore, 'a new epoch');
    assert.equal(await pageState<string>(bob, 'c.epoch'), await pageState<string>(alice, 'c.epoch'));
    assert.ok((await pageState<string[]>(alice, 'c.sendKids')).length > kidsBefore, 'new sending keys');
    assert.deepEqual((await pageState<string[]>(bob, 'c.roster')).sort(), ['alice', 'bob'], 'one leaf each');
    // Media back on new consumers, decrypted, both ways.
    await until(
      () => decodingFrom(bob, 'alice-web', 10),
      (c) => c.some((id) => !bobSawBefore.includes(id)),
      20_000,
      "alice's video at bob after the rejoin",
    );
    await until(
      () => decodingFrom(alice, 'bob-web', 10),
      (c) => c.some((id) => !aliceSawBefore.includes(id)),
      20_000,
      "bob's video at alice after the rejoin",
    );
    assert.equal(await pageState<string>(bob, "c.states['alice-web']"), 'encrypted');
    assert.equal(await pageState<string>(alice, "c.states['bob-web']"), 'encrypted');
    assert.equal(await pageState<string | undefined>(alice, 'c.ended'), undefined);
    assert.equal(await pageState<string | undefined>(alice, 'c.error'), undefined);
    assert.equal(await pageState<number>(alice, 'c.invalidMessages'), 0);
  });

  test('cutting the connection when room control refuses a new ticket: the page ends with the refusal and erases its keys', async () => {
    meeting.credentials.refuseTickets('participant_removed');
    const clearsBefore = await clears(alice);
    await cutSignalling(alice);
    await until(
      () => pageState<string | undefined>(alice, 'c.ended'),
      (e) => e !== undefined,
      20_000,
      'alice ended',
    );
    assert.equal(await pageState<string>(alice, 'c.ended'), 'refused:participant_removed');
    assert.equal(await pageState<string>(alice, 'c.phase'), 'ended');
    assert.match((await alice.locator('#status').textContent()) ?? '', /cannot rejoin/);
    assert.ok((await clears(alice)) > clearsBefore, 'the keys were erased');
    // Bob's group went on without her: one member left.
    await until(
      () => pageState<string[]>(bob, 'c.roster'),
      (r) => r.length === 1,
      20_000,
      'bob alone',
    );
    assert.deepEqual(await pageState<string[]>(bob, 'c.roster'), ['bob']);
  });

  test('leave(): the page ends with left, does not rejoin, and asks room control for no ticket', async () => {
    const tickets = meeting.credentials.ticketsIssued;
    await bob.evaluate(() =>
      (window as unknown as { conclave: { meeting: { leave(): Promise<void> } } }).conclave.meeting.leave(),
    );
    assert.equal(await pageState<string>(bob, 'c.ended'), 'left');
    assert.equal(await pageState<string>(bob, 'c.phase'), 'ended');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual((await pageState<string[]>(bob, 'c.phases')).slice(-1), ['ended']);
    assert.equal(await pageState<number>(bob, 'c.reconnections'), 0);
    assert.equal(meeting.credentials.ticketsIssued, tickets);
  });
});
