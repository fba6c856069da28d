import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { SFRAME_EPOCH_BITS } from '@conclave/e2ee';
import { workerHandleScript } from './support/frame-tap';
import { inboundVideo, pageState, startMeeting, until, type MeetingFixture } from './support/meeting-fixture';

const ROOM = 'room-epochs';
const EPOCHS = 100;

const epochOf = async (page: Page) => BigInt((await pageState<string | undefined>(page, 'c.epoch')) ?? '-1');

/** Video frames the page decoded from `participantId` (inbound-rtp framesDecoded). */
async function decodedFrom(page: Page, participantId: string): Promise<number> {
  return (await inboundVideo(page))
    .filter((s) => s.participantId === participantId)
    .reduce((n, s) => n + s.framesDecoded, 0);
}

const decrypted = (page: Page) => pageState<number>(page, 'c.counters?.decrypted ?? 0');

describe('a call that goes through 100 epochs (periodic updates every ~200 ms) in real browsers', () => {
  let meeting: MeetingFixture;
  const pages: Record<'alice' | 'bob', Page> = {} as Record<'alice' | 'bob', Page>;

  before(async () => {
    // The shortest update interval the SFU accepts: a member commits an update every 150-250 ms.
    meeting = await startMeeting({ e2ee: { updateIntervalMs: 200 } });
    pages.alice = await meeting.open('alice', ROOM, {
      video: '320x180',
      init: workerHandleScript({ hoardKeys: false }),
    });
    pages.bob = await meeting.open('bob', ROOM, { video: '320x180' });
  });
  after(async () => {
    await meeting.close();
  });

  test('both participants keep decoding each other after 100 epochs, their KIDs having recurred 6 times, with no worker error', async () => {
    for (const [user, other] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
    ] as const) {
      await until(
        () => decodedFrom(pages[user], `${other}-web`),
        (n) => n > 10,
        25_000,
        `${user} decodes ${other}`,
      );
    }
    const start = await epochOf(pages.alice);
    for (const [user, page] of Object.entries(pages)) {
      await until(
        () => epochOf(page),
        (e) => e >= start + BigInt(EPOCHS),
        75_000,
        `${EPOCHS} epochs at ${user}`,
      );
    }
    // After epoch start + 100, both still decrypt and decode: measured over 5 s of the continuing updates (a
    // loaded 2-core machine decodes few frames a second; the old code decoded none: nothing was sent).
    const before = {
      alice: { video: await decodedFrom(pages.alice, 'bob-web'), frames: await decrypted(pages.alice) },
      bob: { video: await decodedFrom(pages.bob, 'alice-web'), frames: await decrypted(pages.bob) },
    };
    await new Promise((resolve) => setTimeout(resolve, 5000));
    for (const [user, other] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
    ] as const) {
      const video = await decodedFrom(pages[user], `${other}-web`);
      const frames = await decrypted(pages[user]);
      assert.ok(
        video - before[user].video >= 5,
        `${user} decoded ${video - before[user].video} video frames of ${other} in 5 s after epoch ${EPOCHS}`,
      );
      assert.ok(
        frames - before[user].frames >= 50,
        `${user} decrypted ${frames - before[user].frames} frames in 5 s`,
      );
      assert.equal(await pageState<string>(pages[user], `c.states['${other}-web']`), 'encrypted');
      assert.deepEqual(await pageState<unknown[]>(pages[user], 'c.e2eeErrors'), []);
      // Every epoch gave this member a KID; with E bits of epoch in the KID, they recurred.
      const kids = await pageState<string[]>(pages[user], 'c.sendKids');
      assert.ok(kids.length >= EPOCHS, `${kids.length} epochs seen`);
      assert.ok(new Set(kids).size <= 2 ** SFRAME_EPOCH_BITS, 'KIDs recur every 16 epochs');
    }
  });

  test('a send key the transform worker cannot install reaches the page as send_key_refused and is shown; the next epoch sends again', async () => {
    const sent = () => pageState<number>(pages.alice, 'c.counters?.encrypted ?? 0');
    // A malformed key handed to alice's own worker (an empty base key): it cannot derive an SFrame key from it.
    await pages.alice.evaluate(() => {
      const worker = (window as unknown as { __e2eeWorker: Worker }).__e2eeWorker;
      worker.postMessage({
        type: 'epoch',
        epoch: 1n << 40n,
        send: { kid: 1n << 40n, baseKey: new Uint8Array(0) },
        receive: [],
      });
    });
    const errors = await until(
      () => pageState<{ code: string; message: string }[]>(pages.alice, 'c.e2eeErrors'),
      (e) => e.length > 0,
      5000,
      'the error on the page',
    );
    assert.deepEqual(
      errors.map((e) => e.code),
      ['send_key_refused'],
    );
    assert.match(errors[0]!.message, /^bad_key: /);
    assert.match(
      await pages.alice.evaluate(() => document.getElementById('e2ee-error')!.textContent ?? ''),
      /send_key_refused/,
    );
    // The next periodic update gives alice a real key again: she encrypts and bob decodes her.
    const [encrypted, decoded] = [await sent(), await decodedFrom(pages.bob, 'alice-web')];
    await until(sent, (n) => n > encrypted + 20, 10_000, 'alice sends again');
    await until(
      () => decodedFrom(pages.bob, 'alice-web'),
      (n) => n > decoded,
      10_000,
      'bob decodes alice again',
    );
  });
});
