import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSfu, type SfuFixture } from './support/sfu-fixture';
import { headlessMember, keyedTogether, until, type HeadlessMember } from './support/mls-members';

/** `count` joiners arriving `spacingMs` apart (each joins the room, then sends its key package). */
async function storm(sfu: SfuFixture, room: string, count: number, spacingMs: number) {
  const joining: Promise<HeadlessMember>[] = [];
  for (let i = 0; i < count; i++) {
    joining.push(headlessMember(sfu, `joiner${i}`, room));
    await sleep(spacingMs);
  }
  return Promise.all(joining);
}

describe('join storms: the SFU batches the Adds of joiners arriving together', () => {
  let sfu: SfuFixture;
  before(async () => {
    // Batches start more than 300 ms apart, so arrivals spread over at most 1.5 s make at most 5.
    sfu = await startSfu({ rooms: { maxParticipants: 50 }, e2ee: { batchWindowMs: 300 } });
  });
  after(() => sfu.close());

  test('20 joiners arriving within 1 s (batching window 300 ms) are keyed on one epoch and one safety code after at most 5 commits, each Add proposed once', async () => {
    const host = await headlessMember(sfu, 'host', 'storm-room');
    await until(() => host.latest()?.epoch === 0n, 'the host created the group');
    const joiners = await storm(sfu, 'storm-room', 20, 50);
    const everyone = [host, ...joiners];
    try {
      await until(() => keyedTogether(everyone, 21), 'all 21 share one epoch and safety code', 60_000);
      const final = host.latest()!;
      const arrivals = joiners.map((j) => j.startedAt);
      const spread = Math.max(...arrivals) - Math.min(...arrivals);
      assert.ok(final.epoch <= 5n, `21 members keyed in ${final.epoch} epochs over ${spread} ms of arrivals`);
      assert.deepEqual(
        final.members.map((m) => m.userId).sort(),
        everyone.map((m) => m.user).sort(),
        'the final group is exactly the host and the 20 joiners',
      );
      // No Add went into an epoch whose commit was already being made (it would have had to be proposed again).
      assert.equal(host.received.addProposals, 20, 'one Add proposal per joiner');
      // Each joiner entered through one Welcome; a Welcome admitted several of them at once.
      const welcomes = new Set(joiners.flatMap((j) => [...j.received.welcomeBytes.keys()]));
      for (const joiner of joiners) assert.equal(joiner.received.welcomeBytes.size, 1, joiner.user);
      assert.ok(welcomes.size < joiners.length / 2, `${welcomes.size} Welcomes for 20 joiners`);
    } finally {
      await Promise.all(everyone.map((m) => m.close()));
    }
  });

  test('5 members leaving at once are removed by one commit: the 5 who stay are keyed without them in the next epoch', async () => {
    const host = await headlessMember(sfu, 'host', 'exodus-room');
    await until(() => host.latest()?.epoch === 0n, 'the host created the group');
    const others = await storm(sfu, 'exodus-room', 9, 0);
    const everyone = [host, ...others];
    await until(() => keyedTogether(everyone, 10), 'all 10 are in the group', 60_000);
    const before = host.latest()!.epoch;
    const leavers = others.slice(4);
    const stayers = [host, ...others.slice(0, 4)];
    try {
      await Promise.all(leavers.map((m) => m.close()));
      await until(() => keyedTogether(stayers, 5), 'the 5 who stayed share one epoch without the leavers');
      const after = host.latest()!;
      assert.equal(after.epoch, before + 1n, 'one commit removed all five');
      const left = new Set(leavers.map((m) => m.user));
      assert.ok(!after.members.some((m) => left.has(m.userId)), 'no leaver is in the new epoch');
    } finally {
      await Promise.all(stayers.map((m) => m.close()));
    }
  });

  test('a joiner leaving while the commit adding it is being made stalls nobody: that commit is sequenced, later joiners are keyed', async () => {
    const host = await headlessMember(sfu, 'host', 'quitter-room');
    await until(() => host.latest()?.epoch === 0n, 'the host created the group');
    // Hold the host's first commit (adding the quitter) on its way to the SFU until the quitter has left.
    let holding = false;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const send = host.client.request.bind(host.client);
    host.client.request = (async (type: string, payload: unknown) => {
      if (type === 'mlsCommit' && !holding) {
        holding = true;
        await released;
      }
      return send(type as never, payload as never);
    }) as typeof host.client.request;
    const quitter = await headlessMember(sfu, 'quitter', 'quitter-room');
    await until(() => holding, 'the host is committing the quitter');
    await quitter.close();
    await sleep(100);
    release();
    const late = await headlessMember(sfu, 'late', 'quitter-room');
    try {
      await until(
        () => keyedTogether([host, late], 2),
        'the host and the late joiner share one epoch',
        20_000,
      );
      assert.deepEqual(
        host
          .latest()!
          .members.map((m) => m.userId)
          .sort(),
        ['host', 'late'],
      );
    } finally {
      await Promise.all([host.close(), late.close()]);
    }
  });

  test('a member leaving in the middle of a storm is removed by a commit: the others are keyed without it', async () => {
    const host = await headlessMember(sfu, 'host', 'leave-room');
    await until(() => host.latest()?.epoch === 0n, 'the host created the group');
    const leaver = await headlessMember(sfu, 'leaver', 'leave-room');
    await until(() => keyedTogether([host, leaver], 2), 'the leaver is in the group');
    const joining = storm(sfu, 'leave-room', 12, 50);
    await sleep(300);
    const leftAt = Date.now();
    await leaver.close();
    const joiners = await joining;
    const stayers = [host, ...joiners];
    try {
      await until(
        () => keyedTogether(stayers, 13),
        'the 13 who stayed share one epoch without the leaver',
        60_000,
      );
      const final = host.latest()!;
      assert.ok(!final.members.some((m) => m.userId === 'leaver'), 'the leaver is out of the final group');
      assert.ok(final.epoch <= 8n, `13 members keyed in ${final.epoch} epochs (at most 8 expected)`);
      // The first epoch entered without the leaver: its keys are ones the leaver never held.
      const rekey = host.epochs.find((e) => e.at >= leftAt && !e.members.some((m) => m.userId === 'leaver'));
      assert.ok(rekey !== undefined, 'an epoch without the leaver followed its leaving');
      const codesWithLeaver = new Set(leaver.epochs.map((e) => e.code));
      for (const member of stayers) assert.ok(!codesWithLeaver.has(member.latest()!.code), member.user);
    } finally {
      await Promise.all(stayers.map((m) => m.close()));
    }
  });
});
