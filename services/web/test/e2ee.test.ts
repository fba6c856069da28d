import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeHeapSnapshot } from 'node:v8';
import type { Page } from 'playwright-core';
import { looksLikeSFrame, VP8_INTERFRAME_CLEAR_BYTES, VP8_KEYFRAME_CLEAR_BYTES } from '@conclave/e2ee';
import { parseRtp } from '@conclave/testing';
import { publishPlain, subscribePlain } from '../../sfu/test/support/plain-rtp';
import { Participant } from '../../sfu/src/rooms/participant';
import {
  decodeVp8InPage,
  decryptInPage,
  tapCamera,
  vp8Payload,
  workerHandleScript,
  type FrameTap,
} from './support/frame-tap';
import {
  inboundAudioEnergy,
  inboundStats,
  inboundVideo,
  pageState,
  startMeeting,
  until,
  type MeetingFixture,
} from './support/meeting-fixture';

const ROOM = 'room-e2ee';
const VIDEO = '320x180';

async function decodesFrom(page: Page, participantId: string, minFrames = 5): Promise<void> {
  await until(
    () => inboundVideo(page),
    (v) => v.some((s) => s.participantId === participantId && s.framesDecoded >= minFrames),
    25_000,
    `video from ${participantId}`,
  );
}

/**
 * A run of `width` bytes of some plaintext frame (after its first `skip` bytes) found in some forwarded frame,
 * or undefined. 16 random-looking bytes recur by chance with probability ~2^-128.
 */
function sharedRun(
  forwarded: readonly Buffer[],
  plaintexts: readonly Buffer[],
  skip: number,
  width = 16,
): string | undefined {
  const runs = new Set<string>();
  for (const frame of forwarded) {
    for (let i = 0; i + width <= frame.length; i++) runs.add(frame.toString('hex', i, i + width));
  }
  for (const frame of plaintexts) {
    for (let i = skip; i + width <= frame.length; i++) {
      const run = frame.toString('hex', i, i + width);
      if (runs.has(run)) return run;
    }
  }
  return undefined;
}

const epochOf = (page: Page) => pageState<string | undefined>(page, 'c.epoch');
const codeOf = (page: Page) => pageState<string | undefined>(page, 'c.safetyCode');

describe('end-to-end encryption in real browsers through the real SFU', () => {
  let meeting: MeetingFixture;
  const logLines: string[] = [];
  const pages: Record<string, Page> = {};
  let tap: FrameTap | undefined;

  before(async () => {
    meeting = await startMeeting(
      { media: { plainTransport: { enabled: true, listenIp: '127.0.0.1' } } },
      { logLines },
    );
    // Four pages encode and decode on 2 cores: a small picture keeps the real-time proofs from being starved.
    for (const user of ['alice', 'bob', 'carol'])
      pages[user] = await meeting.open(user, ROOM, { video: VIDEO });
  });
  after(async () => {
    tap?.close();
    await meeting.close();
  });

  test('three participants see and hear each other and show the same safety code and roster', async () => {
    for (const [user, page] of Object.entries(pages)) {
      const others = Object.keys(pages).filter((u) => u !== user);
      for (const other of others) await decodesFrom(page, `${other}-web`);
      // The fake microphone plays a tone: decrypted Opus from both others carries its energy.
      await until(
        () => inboundAudioEnergy(page),
        (energy) => others.every((o) => (energy[`${o}-web`] ?? 0) > 0),
        15_000,
        `${user} hears ${others.join(' and ')}`,
      );
    }
    const [a, b, c] = await until(
      () => Promise.all(Object.values(pages).map(codeOf)),
      (codes) => codes[0] !== undefined && codes.every((x) => x === codes[0]),
      10_000,
      'one safety code on all three',
    );
    assert.ok(a && a === b && b === c);
    for (const page of Object.values(pages)) {
      assert.deepEqual((await pageState<string[]>(page, 'c.roster')).sort(), ['alice', 'bob', 'carol']);
      assert.deepEqual(Object.values(await pageState<Record<string, string>>(page, 'c.states')).sort(), [
        'encrypted',
        'encrypted',
      ]);
    }
  });

  test("the SFU forwards only SFrame frames: valid header, the sender's KID, growing counters", async () => {
    const tap = await meeting.sfu.join({
      user: 'auditor',
      room: ROOM,
      participant: 'tap',
      rights: ['consume'],
    });
    await tap.client.request('join', { rtpCapabilities: tap.hello.routerRtpCapabilities });
    const producers = await tap.client.next('producerAdded', () => true, 100).catch(() => undefined);
    assert.equal(producers, undefined);
    const joined = await meeting.sfu.internal('GET', '/internal/v1/rooms');
    assert.equal(joined.status, 200);
    // The tap learns the producers the normal way: a second join answer lists them.
    const list = await (async () => {
      const again = await meeting.sfu.join({
        user: 'auditor',
        room: ROOM,
        participant: 'tap2',
        rights: ['consume'],
      });
      return again.client.request('join', { rtpCapabilities: again.hello.routerRtpCapabilities });
    })();
    const camera = list.producers.find((p) => p.participantId === 'alice-web' && p.source === 'camera')!;
    assert.ok(camera, 'alice publishes a camera');
    const sub = await subscribePlain(tap.client, camera.producerId);
    await until(
      async () => sub.receiver.packets.length,
      (n) => n > 150,
      15_000,
      'forwarded video',
    );
    const kids = (await pageState<string[]>(pages.alice!, 'c.sendKids')).map(BigInt);
    const counters: bigint[] = [];
    let frames = 0;
    for (const packet of sub.receiver.packets) {
      const rtp = parseRtp(packet);
      if (rtp === undefined || rtp.payload.length === 0) continue;
      const { start, data } = vp8Payload(rtp.payload);
      if (!start) continue;
      frames++;
      const info = looksLikeSFrame('vp8', data, { kids });
      assert.ok(info, `frame ${frames} is not an SFrame frame of alice`);
      assert.ok(
        info.clearLength === VP8_KEYFRAME_CLEAR_BYTES || info.clearLength === VP8_INTERFRAME_CLEAR_BYTES,
        'only the VP8 header stays in clear',
      );
      counters.push(info.ctr);
    }
    assert.ok(frames > 10, `saw ${frames} frames`);
    for (let i = 1; i < counters.length; i++)
      assert.notEqual(counters[i], counters[i - 1], 'a counter never repeats');
    sub.receiver.close();
    tap.client.close();
  });

  test('a participant that sends unencrypted media is decoded by nobody and shown as failed', async () => {
    const rogue = await meeting.sfu.join({ user: 'mallory', room: ROOM, participant: 'rogue' });
    await rogue.client.request('join', { rtpCapabilities: rogue.hello.routerRtpCapabilities });
    const camera = await publishPlain(rogue.client, 'camera', 0x5eed);
    const sending = setInterval(() => void camera.send(3, 'plaintext'), 100);
    try {
      for (const page of Object.values(pages)) {
        await until(
          () => pageState<string>(page, "c.states['rogue']"),
          (s) => s === 'failed',
          15_000,
          'rogue shown as failed',
        );
        const rogueVideo = (await inboundVideo(page)).filter((s) => s.participantId === 'rogue');
        assert.ok(rogueVideo.length > 0, 'the page does receive the rogue stream');
        assert.ok(
          rogueVideo.every((s) => s.framesDecoded === 0),
          'and decodes none of it',
        );
      }
    } finally {
      clearInterval(sending);
      camera.close();
      rogue.client.close();
    }
  });

  test('a receiver whose keys are withheld renders no video and plays silence, and says it waits for a key', async () => {
    // A hostile server: it never delivers this participant's Welcome, so it never gets the group's keys.
    const notify = Participant.prototype.notify;
    Participant.prototype.notify = function (this: Participant, message) {
      if (this.id === 'eve-web' && message.type === 'mlsWelcome') return;
      notify.call(this, message);
    };
    const eve = await meeting.open('eve', ROOM, { publish: '' });
    try {
      const media = async () => (await inboundStats(eve)).filter((s) => s.participantId === 'alice-web');
      // Media does arrive: the SFU forwards alice's audio and video to eve.
      const stats = await until(
        media,
        (m) => m.length === 2 && m.every((s) => s.packetsReceived > 50),
        20_000,
        'alice media at eve',
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const later = await media();
      for (const s of later) {
        if (s.kind === 'video') assert.equal(s.framesDecoded, 0, 'no video frame rendered');
        else {
          assert.equal(s.audioLevel, 0, 'silence, not noise');
          assert.equal(s.totalAudioEnergy, 0, 'no audio energy at all');
        }
      }
      assert.ok(stats.length === 2);
      assert.equal(await pageState<string>(eve, "c.states['alice-web']"), 'waiting-for-key');
      assert.equal(await pageState<string | undefined>(eve, 'c.safetyCode'), undefined);
      // Someone with the keys hears alice: the silence above is the missing key, not a silent source.
      const bobAudio = (await inboundAudioEnergy(pages.bob!))['alice-web'] ?? 0;
      assert.ok(bobAudio > 0, 'bob hears alice');
    } finally {
      Participant.prototype.notify = notify;
      await eve.context().close();
      // Eve was added to the group (she only never got its keys): the others remove her when she leaves.
      await until(
        () => pageState<string[]>(pages.alice!, 'c.roster'),
        (r) => r.length === 3,
        10_000,
        'eve removed',
      );
    }
  });

  test("chat arrives decrypted on members; the SFU's memory and logs never hold the plaintext", async () => {
    await pages.alice!.evaluate(() => {
      const input = document.getElementById('chat-input') as HTMLInputElement;
      input.value = `secret-${crypto.randomUUID()}`;
      (document.getElementById('chat-form') as HTMLFormElement).requestSubmit();
    });
    for (const user of ['bob', 'carol']) {
      await until(
        () => pageState<number>(pages[user]!, 'c.chat.length'),
        (n) => n === 1,
        10_000,
        `chat at ${user}`,
      );
    }
    // Snapshot the process that runs the SFU before this test process ever learns the text.
    const snapshot = writeHeapSnapshot(join(tmpdir(), `conclave-sfu-${process.pid}.heapsnapshot`));
    const text = await pageState<string>(pages.bob!, 'c.chat[0].text');
    assert.match(text, /^secret-[0-9a-f-]{36}$/);
    assert.equal(await pageState<string>(pages.carol!, 'c.chat[0].text'), text);
    assert.equal(await pageState<string>(pages.bob!, 'c.chat[0].userId'), 'alice');
    const heap = await readFile(snapshot, 'utf8');
    await rm(snapshot, { force: true });
    assert.ok(heap.length > 1_000_000, 'a real heap snapshot');
    assert.equal(heap.includes(text), false, 'the plaintext is in the SFU process memory');
    assert.ok(logLines.length > 0);
    assert.equal(
      logLines.some((line) => line.includes(text)),
      false,
      'the plaintext is in a log line',
    );
  });

  test('a fourth participant joins: a new epoch everywhere, it decodes media from then on, never what came before; no plaintext is on the wire', async () => {
    // Erin is a member who receives no media (no `consume` right): frames handed to her are new to her, so she
    // shows that what the wiretap captured does decrypt for whoever holds the epoch's keys.
    pages.erin = await meeting.open('erin', ROOM, {
      publish: '',
      rights: ['chat'],
      init: workerHandleScript({ hoardKeys: false }),
    });
    const inGroup = ['alice', 'bob', 'carol', 'erin'];
    await until(
      () => Promise.all(inGroup.map((u) => codeOf(pages[u]!))),
      (c) => c.every((x) => x !== undefined && x === c[0]),
      15_000,
      'erin in the group',
    );
    const before = await epochOf(pages.alice!);
    const beforeCode = await codeOf(pages.alice!);
    const aliceKid = async () => BigInt((await pageState<string[]>(pages.alice!, 'c.sendKids')).at(-1)!);
    tap = await tapCamera(meeting, ROOM, 'alice-web');
    const kidBefore = await aliceKid();
    const forErin = await tap.next(20, [kidBefore], { fromKeyframe: true });
    const forDave = await tap.next(20, [kidBefore]);
    const atErin = await decryptInPage(pages.erin, 'alice-web', forErin);
    assert.deepEqual([atErin.decrypted.length, atErin.finished], [20, true]);
    // What a member decrypts from the forwarded frames is Alice's real VP8 (libvpx decodes all 20 pictures),
    // and none of it, beyond the VP8 header left in clear, is anywhere in what the SFU forwarded.
    assert.equal((forErin[0]![0]! & 0x01) === 0, true, 'the tap starts at a keyframe');
    assert.equal(await decodeVp8InPage(pages.erin, atErin.decrypted), 20);
    assert.equal(sharedRun(forErin, atErin.decrypted, VP8_KEYFRAME_CLEAR_BYTES), undefined);

    pages.dave = await meeting.open('dave', ROOM, {
      video: VIDEO,
      init: workerHandleScript({ hoardKeys: true }),
    });
    for (const [user, page] of Object.entries(pages)) {
      await until(
        () => epochOf(page),
        (e) => e !== undefined && BigInt(e) > BigInt(before!),
        15_000,
        `new epoch at ${user}`,
      );
    }
    await decodesFrom(pages.dave, 'alice-web');
    await decodesFrom(pages.alice!, 'dave-web');
    const codes = await until(
      () => Promise.all(Object.values(pages).map(codeOf)),
      (c) => c.every((x) => x !== undefined && x === c[0]),
      10_000,
      'one safety code on all five',
    );
    assert.notEqual(codes[0], beforeCode, 'the safety code changed with the membership');
    assert.deepEqual((await pageState<string[]>(pages.dave, 'c.roster')).sort(), [
      'alice',
      'bob',
      'carol',
      'dave',
      'erin',
    ]);
    // Replay: ciphertext of the epoch before Dave joined, handed to his own receive path as Alice's.
    const atDave = await decryptInPage(pages.dave, 'alice-web', forDave);
    assert.deepEqual([atDave.decrypted.length, atDave.finished], [0, true]);
  });

  test("alice's frames that the SFU relabels as bob's decrypt at no member: 0 of 20 as bob's, 20 of 20 of the next ones as alice's", async () => {
    // Erin holds the keys of every member of the epoch, bob's included: the KID, not the key, gives it away.
    const kid = BigInt((await pageState<string[]>(pages.alice!, 'c.sendKids')).at(-1)!);
    const [relabelled, genuine] = [await tap!.next(20, [kid]), await tap!.next(20, [kid])];
    const asBob = await decryptInPage(pages.erin!, 'bob-web', relabelled);
    assert.deepEqual([asBob.decrypted.length, asBob.finished], [0, true]);
    const asAlice = await decryptInPage(pages.erin!, 'alice-web', genuine);
    assert.deepEqual([asAlice.decrypted.length, asAlice.finished], [20, true]);
  });

  test('a removed participant is out within 0.5 s: everyone else is on a new epoch, and its kept keys open nothing new', async () => {
    const stay = ['alice', 'bob', 'carol', 'erin'];
    const before = await Promise.all(stay.map((u) => epochOf(pages[u]!)));
    const response = await meeting.sfu.internal(
      'POST',
      `/internal/v1/rooms/${ROOM}/participants/dave-web/remove`,
      { userId: 'dave', bar: true, version: 1, actor: 'alice' },
    );
    // The SFU answers once the removal took effect on the media; the rekey is timed from there.
    const removedAt = Date.now();
    assert.equal(response.status, 200);
    const rekeyedAt: number[] = [];
    for (const [i, user] of stay.entries()) {
      await until(
        () => epochOf(pages[user]!),
        (e) => e !== undefined && BigInt(e) > BigInt(before[i]!),
        5000,
        `rekey at ${user}`,
      );
      // Each page stamps the moment it entered the epoch (same host clock as this process).
      rekeyedAt.push(await pageState<number>(pages[user]!, 'c.epochAt'));
    }
    const elapsed = Math.max(...rekeyedAt) - removedAt;
    console.log(`rekey after removal: ${elapsed} ms`);
    assert.ok(elapsed < 500, `everyone was on the new epoch ${elapsed} ms after the removal`);
    for (const user of stay) {
      assert.deepEqual((await pageState<string[]>(pages[user]!, 'c.roster')).sort(), [
        'alice',
        'bob',
        'carol',
        'erin',
      ]);
    }
    assert.equal(await pageState<string>(pages.dave!, 'c.removed'), 'removed-by-organiser');
    // Dave's client kept every key it was told to erase, as a modified client would.
    assert.ok(
      (await pages.dave!.evaluate(() => (window as unknown as { __keysKept: number }).__keysKept)) > 0,
    );
    const newKid = BigInt((await pageState<string[]>(pages.alice!, 'c.sendKids')).at(-1)!);
    const [forErin, forDave] = [await tap!.next(20, [newKid]), await tap!.next(20, [newKid])];
    const atErin = await decryptInPage(pages.erin!, 'alice-web', forErin);
    assert.deepEqual([atErin.decrypted.length, atErin.finished], [20, true]);
    const atDave = await decryptInPage(pages.dave!, 'alice-web', forDave);
    assert.deepEqual([atDave.decrypted.length, atDave.finished], [0, true]);
  });
});
