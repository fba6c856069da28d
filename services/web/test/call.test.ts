import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { inboundVideo, pageState, startMeeting, until, type MeetingFixture } from './support/meeting-fixture';

describe('two browsers in a call through the SFU, end-to-end encrypted', () => {
  let meeting: MeetingFixture;
  let alice: Page;
  let bob: Page;
  before(async () => {
    meeting = await startMeeting();
    alice = await meeting.open('alice', 'room-call');
    bob = await meeting.open('bob', 'room-call');
  });
  after(() => meeting.close());

  test("each page decodes the other one's video (framesDecoded grows on both sides)", async () => {
    for (const [page, other] of [
      [alice, 'bob-web'],
      [bob, 'alice-web'],
    ] as const) {
      const error = await pageState<string | undefined>(page, 'c.error');
      assert.equal(error, undefined);
      const first = await until(
        () => inboundVideo(page),
        (v) => v.some((s) => s.participantId === other && s.framesDecoded > 10),
        20_000,
        `video from ${other}`,
      );
      const before = first.find((s) => s.participantId === other)!.framesDecoded;
      const later = await until(
        () => inboundVideo(page),
        (v) => (v.find((s) => s.participantId === other)?.framesDecoded ?? 0) > before + 10,
        10_000,
        'more frames',
      );
      assert.ok(later.find((s) => s.participantId === other)!.framesDecoded > before);
    }
  });

  test('both pages show the same safety code and the same MLS roster, and the other as encrypted', async () => {
    const codes = await until(
      async () => [
        await pageState<string>(alice, 'c.safetyCode'),
        await pageState<string>(bob, 'c.safetyCode'),
      ],
      ([a, b]) => a !== undefined && a === b,
      10_000,
      'equal safety codes',
    );
    assert.match(codes[0]!, /\d/);
    assert.deepEqual((await pageState<string[]>(alice, 'c.roster')).sort(), ['alice', 'bob']);
    assert.deepEqual((await pageState<string[]>(bob, 'c.roster')).sort(), ['alice', 'bob']);
    assert.equal(await pageState<string>(alice, "c.states['bob-web']"), 'encrypted');
    assert.equal(await pageState<string>(bob, "c.states['alice-web']"), 'encrypted');
  });

  test('every video frame the encoder produced went through the encryption transform, from the first one', async () => {
    // A transform attached after media started would be ignored by Chromium: frames would be encoded and sent
    // without ever reaching it. Encoded frames (all simulcast layers) at t0 must all have been seen by t1 > t0.
    const encoded = await alice.evaluate(async () => {
      const c = (
        window as unknown as {
          conclave: { conference: { producerStats(s: string): Promise<RTCStatsReport> } };
        }
      ).conclave;
      let frames = 0;
      (await c.conference.producerStats('camera')).forEach((s: { type: string; framesEncoded?: number }) => {
        if (s.type === 'outbound-rtp') frames += s.framesEncoded ?? 0;
      });
      return frames;
    });
    assert.ok(encoded > 30, `encoded ${encoded} frames`);
    const firstSnapshot = await pageState<number>(alice, "c.counters.seen['send:video']");
    const seen = await until(
      () => pageState<number>(alice, "c.counters.seen['send:video']"),
      (n) => n > firstSnapshot,
      5000,
      'a fresh counter snapshot',
    );
    assert.ok(seen >= encoded, `the transform saw ${seen} video frames, the encoder produced ${encoded}`);
  });

  test('a receiver whose tile grows gets a high simulcast layer, and the low one when it shrinks again', async () => {
    const [camera] = (await inboundVideo(bob)).filter((s) => s.participantId === 'alice-web');
    assert.ok(camera);
    const setTile = (width: number, height: number) =>
      bob.evaluate(
        ([id, w, h]) =>
          (
            window as unknown as {
              conclave: { conference: { setTileSize(id: string, w: number, h: number): Promise<number> } };
            }
          ).conclave.conference.setTileSize(id, w, h),
        [camera.consumerId, width, height] as const,
      );
    const widthOf = async () =>
      (await inboundVideo(bob)).find((x) => x.consumerId === camera.consumerId)?.frameWidth ?? 0;
    assert.equal(await setTile(1280, 720), 2);
    await until(widthOf, (w) => w > 320, 20_000, 'a higher layer');
    assert.equal(await setTile(160, 90), 0);
    await until(widthOf, (w) => w > 0 && w <= 320, 20_000, 'the low layer');
  });

  test("bob's second device shows on alice's page as one person with 2 devices, and its arrival is announced", async () => {
    const phone = await meeting.open('bob', 'room-call', { participant: 'bob-phone', publish: '' });
    try {
      const bobOf = () =>
        pageState<{ userId: string; devices: number }[]>(alice, 'c.people').then((p) =>
          p.find((x) => x.userId === 'bob'),
        );
      await until(bobOf, (b) => b?.devices === 2, 20_000, 'bob with two devices');
      assert.equal(await alice.locator('#roster li[data-user="bob"]').getAttribute('data-devices'), '2');
      assert.equal(await alice.locator('#roster li').count(), 2, 'one line per person');
      assert.match((await alice.locator('#announcements').textContent()) ?? '', /\(bob\) joined/);
      assert.equal(await alice.locator('#announcements').getAttribute('aria-live'), 'polite');
    } finally {
      await phone.close();
    }
  });
});
