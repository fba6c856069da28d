import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { openAuditTrail, type AuditTrailConfig } from '@conclave/audit';
import { SignallingError, type SignallingClient } from '@conclave/client';
import { parseSfuConfig } from '@conclave/sfu';
import { mlsMember } from './support/mls-member';
import { publishPlain, waitFor } from './support/plain-rtp';
import { startSfu, type SfuFixture } from './support/sfu-fixture';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof SignallingError, `expected a SignallingError, got ${String(error)}`);
    return error.code;
  }
}

async function joinRoom(sfu: SfuFixture, user: string, room: string) {
  const { client, hello } = await sfu.join({ user, room, participant: `${user}-1` });
  await client.request('join', { rtpCapabilities: hello.routerRtpCapabilities });
  return client;
}

async function consumersOf(sfu: SfuFixture, roomId: string, participantId: string): Promise<number> {
  const { body } = await sfu.internal('GET', '/internal/v1/rooms');
  const room = (
    body as { rooms: { roomId: string; participants: { participantId: string; consumers: number }[] }[] }
  ).rooms.find((r) => r.roomId === roomId);
  return room?.participants.find((p) => p.participantId === participantId)?.consumers ?? -1;
}

async function participantsOf(sfu: SfuFixture, roomId: string): Promise<string[]> {
  const { body } = await sfu.internal('GET', '/internal/v1/rooms');
  const room = (
    body as { rooms: { roomId: string; participants: { participantId: string }[] }[] }
  ).rooms.find((r) => r.roomId === roomId);
  return room?.participants.map((p) => p.participantId) ?? [];
}

/** `promise`, or a failure naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Sends `count` requests made by `request`, at most `parallel` in flight (the SFU queues 64 per connection). */
async function flood(count: number, parallel: number, request: () => Promise<unknown>): Promise<string[]> {
  const codes: string[] = [];
  for (let sent = 0; sent < count; sent += parallel) {
    const batch = Math.min(parallel, count - sent);
    codes.push(...(await Promise.all(Array.from({ length: batch }, () => codeOf(request())))));
  }
  return codes;
}

describe('a hostile participant cannot make the SFU multiply what it sends (issue 11 items 7, 10)', () => {
  let sfu: SfuFixture;
  const clients: SignallingClient[] = [];
  before(async () => {
    sfu = await startSfu({
      signalling: { rateLimit: { perSecond: 1000, burst: 1000 } },
      media: { plainTransport: { enabled: true } },
      rooms: { maxConsumersPerParticipant: 3 },
    });
  });
  after(async () => {
    for (const client of clients) client.close();
    await sfu.close();
  });

  test('consume() of one producer 300 times: the first is accepted, the 299 others are refused with conflict and the SFU holds one consumer', async () => {
    const alice = await joinRoom(sfu, 'alice', 'h-copies');
    const bob = await joinRoom(sfu, 'bob', 'h-copies');
    clients.push(alice, bob);
    const camera = await publishPlain(alice, 'camera', 5151);
    try {
      const { transportId } = await bob.request('createTransport', { direction: 'recv', transport: 'plain' });
      const codes = await flood(300, 50, () =>
        bob.request('consume', { transportId, producerId: camera.producerId }),
      );
      assert.equal(codes.filter((c) => c === 'ok').length, 1);
      assert.equal(codes.filter((c) => c === 'conflict').length, 299, codes.join(','));
      assert.equal(await consumersOf(sfu, 'h-copies', 'bob-1'), 1);
    } finally {
      camera.close();
    }
  });

  test('consume() beyond rooms.maxConsumersPerParticipant is refused with limit_reached and creates nothing', async () => {
    const alice = await joinRoom(sfu, 'alice', 'h-total');
    const carol = await joinRoom(sfu, 'carol', 'h-total');
    const bob = await joinRoom(sfu, 'bob', 'h-total');
    clients.push(alice, carol, bob);
    const published = [
      await publishPlain(alice, 'camera', 6161),
      await publishPlain(alice, 'microphone', 6162),
      await publishPlain(carol, 'camera', 6163),
      await publishPlain(carol, 'microphone', 6164),
    ];
    try {
      const { transportId } = await bob.request('createTransport', { direction: 'recv', transport: 'plain' });
      const codes: string[] = [];
      for (const { producerId } of published) {
        codes.push(await codeOf(bob.request('consume', { transportId, producerId })));
      }
      assert.deepEqual(codes, ['ok', 'ok', 'ok', 'limit_reached']);
      assert.equal(await consumersOf(sfu, 'h-total', 'bob-1'), 3);
    } finally {
      for (const p of published) p.close();
    }
  });

  test('connectPlainTransport() to an address outside loopback is refused with address_not_allowed; loopback is accepted', async () => {
    const mallory = await joinRoom(sfu, 'mallory', 'h-reflect');
    clients.push(mallory);
    const { transportId } = await mallory.request('createTransport', {
      direction: 'recv',
      transport: 'plain',
    });
    const outside = ['192.0.2.10', '10.0.0.1', '::ffff:8.8.8.8', '2001:db8::1', '0.0.0.0'];
    const codes: string[] = [];
    for (const ip of outside) {
      codes.push(await codeOf(mallory.request('connectPlainTransport', { transportId, ip, port: 5004 })));
    }
    assert.deepEqual(
      codes,
      outside.map(() => 'address_not_allowed'),
    );
    assert.equal(
      await codeOf(mallory.request('connectPlainTransport', { transportId, ip: '127.0.0.1', port: 5004 })),
      'ok',
    );
  });

  test('a plain transport listening outside loopback is refused by the configuration', () => {
    assert.throws(
      () =>
        parseSfuConfig({
          signalling: { certFile: 'c', keyFile: 'k' },
          tickets: { jwksFile: 'j' },
          media: { plainTransport: { enabled: true, listenIp: '0.0.0.0' } },
        }),
      /loopback/,
    );
  });

  test('a 17 MB chat flood of one member reaches each other member only within the chat budget, the rest refused with rate_limited', async () => {
    const room = 'h-chat';
    const members: Awaited<ReturnType<typeof mlsMember>>[] = [];
    try {
      for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) {
        const member = await mlsMember(sfu, user, room);
        members.push(member);
        await member.reached(0n);
      }
      const [alice, ...others] = members;
      const received = others.map(() => 0);
      const receivedBytes = others.map(() => 0);
      others.forEach((member, i) =>
        member.client.on('mlsApplication', (m) => {
          received[i]!++;
          receivedBytes[i]! += m.message.length;
        }),
      );
      assert.equal(await codeOf(alice!.chat('x'.repeat(60_000))), 'message_too_large');
      // The largest chat that fits the 16 KiB bound once encrypted: ~17 MB in all.
      const text = 'y'.repeat(15_000);
      const started = performance.now();
      const codes = await flood(1100, 50, () => alice!.chat(text));
      const elapsedSeconds = (performance.now() - started) / 1000;
      const accepted = codes.filter((c) => c === 'ok').length;
      assert.ok(accepted >= 1, 'chat still works');
      assert.ok(codes.includes('rate_limited'), codes.join(','));
      // Default budget: 64 KiB at once, 16 KiB/s after (each message ≥ 15 000 bytes); relayed as base64url text.
      const budgetBytes = 65_536 + 16_384 * (elapsedSeconds + 1);
      assert.ok(accepted * 15_000 <= budgetBytes, `${accepted} messages accepted in ${elapsedSeconds} s`);
      await waitFor(
        () => received.every((count) => count === accepted),
        5000,
        'every accepted message at every other member',
      );
      for (const bytes of receivedBytes)
        assert.ok(bytes <= (budgetBytes * 4) / 3 + 4 * accepted, `${bytes} chars delivered`);
    } finally {
      for (const member of members) await member.close();
    }
  });
});

describe('a member that stops reading is disconnected, not buffered for (issue 11 item 7)', () => {
  let sfu: SfuFixture;
  before(async () => {
    sfu = await startSfu({
      signalling: { maxBufferedBytes: 262_144, rateLimit: { perSecond: 1000, burst: 1000 } },
      e2ee: {
        chat: {
          maxMessageBytes: 65_536,
          messagesPerSecond: 1000,
          burstMessages: 1000,
          bytesPerSecond: 16_777_216,
          burstBytes: 67_108_864,
        },
      },
    });
  });
  after(() => sfu.close());

  test('a member whose socket stops reading is closed once its send buffer passes signalling.maxBufferedBytes for a second; the others keep receiving chat', async () => {
    const room = 'h-slow';
    const members: Awaited<ReturnType<typeof mlsMember>>[] = [];
    try {
      for (const user of ['alice', 'bob', 'carol']) {
        const member = await mlsMember(sfu, user, room);
        members.push(member);
        await member.reached(0n);
      }
      const [alice, bob, carol] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
      let bobReceived = 0;
      bob.client.on('mlsApplication', () => bobReceived++);
      carol.socket.pause();
      const text = 'z'.repeat(60_000);
      let sent = 0;
      // Up to 60 MB: far more than the kernel's socket buffers on loopback plus the SFU's bound.
      while (sent < 1000 && (await participantsOf(sfu, room)).includes(carol.hello.participantId)) {
        const codes = await flood(8, 8, () => alice.chat(text));
        assert.ok(
          codes.every((c) => c === 'ok' || c === 'stale_epoch'),
          codes.join(','),
        );
        sent += codes.filter((c) => c === 'ok').length;
      }
      assert.ok(
        !(await participantsOf(sfu, room)).includes(carol.hello.participantId),
        `carol still in the room after ${sent} messages of 60 kB`,
      );
      await waitFor(() => bobReceived === sent, 10_000, 'every chat message at bob');
    } finally {
      for (const member of members) await member.close();
    }
  });
});

describe("the SFU's security events reach the appliance's hash-chained trail, bounded under attack (issue 11 item 18)", () => {
  let sfu: SfuFixture;
  let dir: string;
  let trail: AuditTrailConfig;
  /** Hellos with an invalid ticket sent so far (each must be accounted for in the trail). */
  let invalidHellos = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conclave-sfu-trail-'));
    trail = {
      database: { type: 'sqlite', path: join(dir, 'trail.db') },
      keyFile: join(dir, 'checkpoint.key'),
      checkpointEvery: 100,
      checkpointIntervalSeconds: 0,
    };
    sfu = await startSfu(
      { signalling: { maxConnectionsPerAddress: 5 }, audit: { trail, floodWindowSeconds: 1 } },
      { configuredAudit: true },
    );
  });
  after(async () => {
    await sfu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function trailEntries() {
    const reader = await openAuditTrail(trail, false);
    try {
      const verified = await reader.store.verify();
      assert.equal(verified.ok, true, JSON.stringify(verified.firstBad));
      const lines: string[] = [];
      await reader.store.export('jsonl', { write: async (line) => void lines.push(line) });
      return lines.map(
        (line) =>
          JSON.parse(line) as {
            action: string;
            outcome: string;
            actor: string;
            reason?: string;
            details?: Record<string, unknown>;
          },
      );
    } finally {
      await reader.close();
    }
  }

  function opened(socket: WebSocket): Promise<number> {
    return new Promise((resolve) => {
      socket.once('open', () => resolve(101));
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
  }

  test('a sixth connection from one address is refused at the upgrade with HTTP 429, and accepted again once one closes', async () => {
    const sockets = Array.from(
      { length: 5 },
      () => new WebSocket(sfu.server.signallingUrl, { ca: sfu.caPem }),
    );
    try {
      assert.deepEqual(await Promise.all(sockets.map(opened)), [101, 101, 101, 101, 101]);
      const sixth = new WebSocket(sfu.server.signallingUrl, { ca: sfu.caPem });
      sixth.on('error', () => undefined);
      assert.equal(await opened(sixth), 429);
      sockets.pop()!.close();
      let status = 0;
      for (let attempt = 0; attempt < 40 && status !== 101; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const again = new WebSocket(sfu.server.signallingUrl, { ca: sfu.caPem });
        again.on('error', () => undefined);
        status = await opened(again);
        if (status === 101) sockets.push(again);
      }
      assert.equal(status, 101);
    } finally {
      for (const socket of sockets) socket.terminate();
    }
  });

  test('hello() with an invalid ticket is refused with invalid_ticket and the SFU closes that connection (4005)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const client = await sfu.connect();
    const closed = new Promise<number>((resolve) => client.onClose((code) => resolve(code)));
    invalidHellos++;
    assert.equal(await codeOf(client.hello('not-a-ticket-but-long-enough')), 'invalid_ticket');
    assert.equal(await within(closed, 5000, 'the SFU to close the connection'), 4005);
  });

  test('a hundred hellos with invalid tickets write at most two trail entries per window, and every refusal is counted', async () => {
    const started = performance.now();
    for (let i = 0; i < 100; i++) {
      const client = await sfu.connect();
      const closed = new Promise<void>((resolve) => client.onClose(() => resolve()));
      invalidHellos++;
      assert.equal(await codeOf(client.hello(`forged-ticket-number-${i}`)), 'invalid_ticket');
      await within(closed, 5000, 'the SFU to close the connection');
    }
    const windows = Math.ceil((performance.now() - started) / 1000) + 2;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const refusals = (await trailEntries()).filter(
      (e) => e.action === 'sfu.join' && e.outcome === 'failure' && e.reason === 'invalid_ticket',
    );
    assert.ok(refusals.length <= 2 * windows, `${refusals.length} entries for ${windows} windows`);
    // An entry is one refusal, or a window's summary of `repeated` further ones.
    const counted = refusals.reduce((n, e) => n + Number(e.details?.repeated ?? 1), 0);
    assert.equal(counted, invalidHellos);
  });

  test("a join, a suite mismatch and an organiser's rights change reach the trail, which verifies", async () => {
    const { client } = await sfu.join({ user: 'alice', room: 'h-audit', participant: 'alice-1' });
    try {
      const mallory = await sfu.connect();
      assert.equal(
        await codeOf(
          mallory.hello(await sfu.signer.sign({ user: 'frank', room: 'h-audit', mlsSuite: 'xwing-pq' })),
        ),
        'suite_mismatch',
      );
      const response = await sfu.internal('PUT', '/internal/v1/rooms/h-audit/participants/alice-1/rights', {
        rights: ['consume'],
        version: 1,
        actor: 'organiser-1',
      });
      assert.equal(response.status, 200);
    } finally {
      client.close();
    }
    const entries = await trailEntries();
    assert.ok(entries.some((e) => e.action === 'sfu.join' && e.outcome === 'success' && e.actor === 'alice'));
    assert.ok(
      entries.some((e) => e.action === 'sfu.join' && e.actor === 'frank' && e.reason === 'suite_mismatch'),
    );
    assert.ok(entries.some((e) => e.action === 'sfu.rights' && e.actor === 'organiser-1'));
  });
});

describe('strangers cannot make the SFU write log lines without bound (issue 11 item 18)', () => {
  let sfu: SfuFixture;
  const logLines: string[] = [];
  before(async () => {
    sfu = await startSfu({}, { configuredAudit: true, logLines });
  });
  after(() => sfu.close());

  test('fifty connections sending garbage and an invalid ticket each add at most one audit line to the debug log', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = logLines.length;
    for (let i = 0; i < 50; i++) {
      const client = await sfu.connect();
      const closed = new Promise<void>((resolve) => client.onClose(() => resolve()));
      for (let j = 0; j < 10; j++) client.sendRaw(j % 2 === 0 ? '{not json' : '{"type":"join","id":999999}');
      assert.equal(await codeOf(client.hello(`forged-ticket-number-${i}`)), 'invalid_ticket');
      await within(closed, 5000, 'the SFU to close the connection');
    }
    const added = logLines.slice(before);
    assert.ok(added.length <= 1, added.join('\n'));
  });
});
