import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { E2eeSession, type MembershipChange, type ToWorker } from '@conclave/client';
import { startSfu, type SfuFixture } from './support/sfu-fixture';

/** Where an E2eeSession sends SFrame keys; here nothing encrypts frames, only the MLS group is under test. */
const noFrames = { postMessage: (_message: ToWorker) => undefined } as unknown as Worker;

async function until<T>(read: () => T, ok: (value: T) => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The roster a member shows: people from room control's signed credentials, with their device counts. */
describe('the MLS roster counts devices per person and announces every change', () => {
  let sfu: SfuFixture;
  const sessions: { e2ee: E2eeSession; close: () => Promise<void> }[] = [];
  before(async () => {
    sfu = await startSfu();
  });
  after(async () => {
    for (const s of sessions) await s.close();
    await sfu.close();
  });

  /** One device: a participant session with its own ticket, credential and MLS member. */
  const device = async (user: string, name: string, participant: string, room: string) => {
    const { client, hello } = await sfu.join({ user, name, room, participant });
    const e2ee = new E2eeSession(
      client,
      noFrames,
      { participantId: hello.participantId, userId: user },
      hello.e2ee,
      sfu.credentials.identity({ user, name, room, participant }),
    );
    const changes: MembershipChange[] = [];
    let epochs = 0;
    e2ee.on('membership', (c) => changes.push(...c));
    e2ee.on('epoch', () => epochs++);
    const close = async () => {
      await e2ee.close();
      client.close();
    };
    sessions.push({ e2ee, close });
    await e2ee.start();
    await until(
      () => epochs,
      (n) => n > 0,
      10_000,
      `${participant} is in the group`,
    );
    return { e2ee, changes, close };
  };

  test("a user's second device shows as one person with 2 devices, its arrival and departure are announced", async () => {
    const alice = await device('alice', 'Alice Martin', 'alice-laptop', 'roster-room');
    await device('bob', 'Bob Durand', 'bob-laptop', 'roster-room');
    const phone = await device('bob', 'Bob Durand', 'bob-phone', 'roster-room');
    const people = () => alice.e2ee.people().map((p) => [p.displayName, p.devices]);
    // The announcement comes with the epoch's keys, right after the tree changed: wait for it.
    await until(
      () => alice.changes.length,
      (n) => n === 2,
      10_000,
      "both of bob's devices are announced",
    );
    assert.deepEqual(people(), [
      ['Alice Martin', 1],
      ['Bob Durand', 2],
    ]);
    assert.deepEqual(
      alice.changes.map((c) => [c.kind, c.displayName, c.participantId, c.devices]),
      [
        ['joined', 'Bob Durand', 'bob-laptop', 1],
        ['joined', 'Bob Durand', 'bob-phone', 2],
      ],
    );
    await phone.close();
    await until(
      () => alice.changes.length,
      (n) => n === 3,
      10_000,
      "bob's phone's departure is announced",
    );
    assert.deepEqual(people()[1], ['Bob Durand', 1]);
    assert.deepEqual(alice.changes.at(-1), {
      kind: 'left',
      userId: 'bob',
      displayName: 'Bob Durand',
      participantId: 'bob-phone',
      devices: 1,
    });
  });
});
