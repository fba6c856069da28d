import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  E2eeSession,
  roomControlIdentity,
  type MemberIdentitySource,
  type SignallingClient,
  type ToWorker,
} from '@conclave/client';
import { readMemberStatement } from '@conclave/e2ee';
import { MEMBER_CREDENTIAL_KEYS_PATH } from '@conclave/protocol';
import { systemClock } from '@conclave/server-kit';
import { MemberCredentialSigner, TicketSigner } from '@conclave/testing';
import { startSfu, type SfuFixture } from '../../sfu/test/support/sfu-fixture';
import { TicketIssuer } from '../src';
import { startRooms, type RoomsFixture } from './support/rooms-fixture';

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

/**
 * A hostile SFU: the real SFU, but it also trusts tickets of the attacker's key (as if its ticket check were
 * compromised), so membership is decided by the SFU alone. Its delivery service then proposes and relays the
 * ghost exactly as it does for anyone. Only room control's signed credentials can stop the ghost.
 */
describe('MLS member identity is vouched for by room control, not by the SFU', () => {
  let sfu: SfuFixture;
  let rooms: RoomsFixture;
  let keyDir: string;
  let attacker: TicketSigner;
  const closers: (() => Promise<void> | void)[] = [];
  const tokens: Record<string, string> = {};

  before(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'conclave-identity-keys-'));
    const keyFile = join(keyDir, 'tickets.key');
    const roomsJwks = join(keyDir, 'rooms.jwks.json');
    TicketIssuer.loadOrCreate(keyFile, 60, systemClock).writeJwks(roomsJwks);
    attacker = await TicketSigner.create(keyDir);
    const trusted = join(keyDir, 'hostile-sfu.jwks.json');
    const keysOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { keys: unknown[] }).keys;
    writeFileSync(trusted, JSON.stringify({ keys: [...keysOf(roomsJwks), ...keysOf(attacker.jwksFile)] }));
    sfu = await startSfu({}, { jwksFile: trusted });
    rooms = await startRooms({
      sfuInternal: { url: sfu.server.internalUrl, token: sfu.apiToken },
      config: { tickets: { keyFile } },
    });
    tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'], name: 'Alice Martin' });
    tokens.bob = await rooms.tokens.token('bob', { name: 'Bob Durand' });
    tokens.mallory = await rooms.tokens.token('mallory', { roles: ['organiser'], name: 'Mallory' });
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await rooms.close();
    await sfu.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const meeting = async (organiser = 'alice', invitees = ['bob']) => {
    const created = await rooms.api('POST', '/meetings/instant', tokens[organiser], {
      title: 'Cellule de crise',
      invitees,
      lobby: false,
    });
    assert.equal(created.status, 201);
    return created.body.id as string;
  };

  /** An MLS session over a signalling connection; records epochs, safety codes and refusals. */
  const session = async (
    client: SignallingClient,
    hello: Awaited<ReturnType<SignallingClient['hello']>>,
    userId: string,
    identity: MemberIdentitySource,
  ) => {
    const e2ee = new E2eeSession(
      client,
      noFrames,
      { participantId: hello.participantId, userId },
      hello.e2ee,
      identity,
    );
    const epochs: { epoch: bigint; code: string; members: number }[] = [];
    const refusals: { code: string; message: string }[] = [];
    e2ee.on('epoch', (epoch, code, members) => epochs.push({ epoch, code, members: members.length }));
    e2ee.on('refused', (code, message) => refusals.push({ code, message }));
    closers.push(async () => {
      await e2ee.close();
      client.close();
    });
    await e2ee.start();
    return { e2ee, epochs, refusals, participantId: hello.participantId };
  };

  /** Enters as a client does: join and ticket at room control, credential at room control, then the SFU. */
  const enter = async (meetingId: string, user: string) => {
    const joined = await rooms.api('POST', `/meetings/${meetingId}/join`, tokens[user]);
    assert.equal(joined.body.state, 'admitted');
    const participantId = joined.body.participantId as string;
    const ticket = await rooms.api(
      'POST',
      `/meetings/${meetingId}/participants/${participantId}/ticket`,
      tokens[user],
    );
    const client = await sfu.connect();
    const hello = await client.hello(ticket.body.ticket);
    const identity = roomControlIdentity({
      baseUrl: rooms.url,
      accessToken: tokens[user],
      meetingId,
      participantId,
    });
    return session(client, hello, user, identity);
  };

  /** A ghost let in by the hostile SFU (forged ticket) with the MLS credential `identity` gives it. */
  const ghost = async (meetingId: string, user: string, identity: MemberIdentitySource) => {
    const client = await sfu.connect();
    const hello = await client.hello(
      await attacker.sign({ user, room: meetingId, participant: `ghost-${user}` }),
    );
    return session(client, hello, user, identity);
  };

  /** Room control's real key set plus the attacker's: what a ghost's own client is made to trust. */
  const attackerIdentity = async (meetingId: string, claimed: string, forger: MemberCredentialSigner) => {
    const real = (await rooms.api('GET', MEMBER_CREDENTIAL_KEYS_PATH)).body as { keys: unknown[] };
    const forged = forger.identity({ user: claimed, room: meetingId, participant: `ghost-${claimed}` });
    return {
      ...forged,
      keySet: async () => ({ keys: [...real.keys, ...forger.keySet().keys] }),
    };
  };

  test('an Add of a ghost claiming an existing user id, with a credential room control did not sign, is refused by every member: the group stays as it was', async () => {
    const meetingId = await meeting();
    const alice = await enter(meetingId, 'alice');
    const bob = await enter(meetingId, 'bob');
    await until(
      () => bob.epochs,
      (e) => e.length > 0,
      10_000,
      'bob joins',
    );
    const settled = alice.epochs.at(-1)!;
    assert.equal(settled.members, 2);

    const forger = await MemberCredentialSigner.create();
    const mallory = await ghost(meetingId, 'bob', await attackerIdentity(meetingId, 'bob', forger));
    for (const member of [alice, bob])
      await until(
        () => member.refusals,
        (r) => r.some((x) => x.code === 'credential_rejected'),
        10_000,
        'the ghost Add is refused',
      );
    // Give a (hostile) committer time: nothing may change.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(mallory.epochs.length, 0, 'the ghost never got a Welcome');
    for (const member of [alice, bob]) {
      assert.equal(member.epochs.at(-1)!.epoch, settled.epoch, 'no new epoch');
      assert.deepEqual(
        member.e2ee.people().map((p) => [p.userId, p.devices]),
        [
          ['alice', 1],
          ['bob', 1],
        ],
      );
    }
    assert.equal(bob.epochs.at(-1)!.code, alice.epochs.at(-1)!.code);
  });

  test("a Welcome into a group the hostile SFU's ghost created is refused by the joiner: it never reaches an epoch", async () => {
    const meetingId = await meeting();
    const forger = await MemberCredentialSigner.create();
    // The ghost is first in the room: it creates the group and commits the honest joiner's Add.
    const mallory = await ghost(meetingId, 'alice', await attackerIdentity(meetingId, 'alice', forger));
    await until(
      () => mallory.epochs,
      (e) => e.length > 0,
      10_000,
      'the ghost creates the group',
    );
    const bob = await enter(meetingId, 'bob');
    await until(
      () => bob.refusals,
      (r) => r.some((x) => x.code === 'credential_rejected'),
      10_000,
      'the Welcome is refused',
    );
    assert.equal(bob.epochs.length, 0, 'bob is in no group');
    assert.deepEqual(bob.e2ee.members(), []);
  });

  test('a genuine credential room control signed for another meeting does not get its holder into this one', async () => {
    const meetingId = await meeting();
    const alice = await enter(meetingId, 'alice');
    await until(
      () => alice.epochs,
      (e) => e.length > 0,
      10_000,
      'alice creates the group',
    );
    // Mallory is a real user with a real session (and real credentials) in her own meeting.
    const own = await meeting('mallory', []);
    const joined = await rooms.api('POST', `/meetings/${own}/join`, tokens.mallory);
    const replayed = roomControlIdentity({
      baseUrl: rooms.url,
      accessToken: tokens.mallory,
      meetingId: own,
      participantId: joined.body.participantId as string,
    });
    const mallory = await ghost(meetingId, 'mallory', { ...replayed, meetingId });
    await until(
      () => alice.refusals,
      (r) => r.some((x) => x.code === 'credential_rejected'),
      10_000,
      'the Add is refused',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(mallory.epochs.length, 0);
    assert.deepEqual(
      alice.e2ee.people().map((p) => p.userId),
      ['alice'],
    );
  });

  test("members show each other by room control's display name, and announce who joined", async () => {
    const meetingId = await meeting();
    const alice = await enter(meetingId, 'alice');
    const changes: string[] = [];
    alice.e2ee.on('membership', (c) => changes.push(...c.map((x) => `${x.kind} ${x.displayName}`)));
    await until(
      () => alice.epochs,
      (e) => e.length > 0,
      10_000,
      'alice creates the group',
    );
    const bob = await enter(meetingId, 'bob');
    await until(
      () => bob.epochs,
      (e) => e.length > 0,
      10_000,
      'bob joins',
    );
    await until(
      () => changes,
      (c) => c.length > 0,
      5000,
      'the join is announced',
    );
    assert.deepEqual(changes, ['joined Bob Durand']);
    assert.deepEqual(
      bob.e2ee.people().map((p) => [p.displayName, p.devices]),
      [
        ['Alice Martin', 1],
        ['Bob Durand', 1],
      ],
    );
    const statement = readMemberStatement(bob.e2ee.members()[1]!.credential);
    assert.deepEqual([statement?.meetingId, statement?.participantId], [meetingId, bob.participantId]);
  });

  test("the credential route refuses a session that is not the caller's (404) and a key of the wrong size (400), and signs for the caller's own admitted session", async () => {
    const meetingId = await meeting();
    const joined = await rooms.api('POST', `/meetings/${meetingId}/join`, tokens.bob);
    const path = `/meetings/${meetingId}/participants/${joined.body.participantId as string}/credential`;
    const key = Buffer.alloc(97, 4).toString('base64url');
    const stolen = await rooms.api('POST', path, tokens.mallory, { signatureKey: key });
    assert.deepEqual([stolen.status, stolen.body.code], [404, 'not_found']);
    const short = await rooms.api('POST', path, tokens.bob, {
      signatureKey: Buffer.alloc(32, 4).toString('base64url'),
    });
    assert.deepEqual([short.status, short.body.code], [400, 'bad_request']);
    const ok = await rooms.api('POST', path, tokens.bob, { signatureKey: key });
    assert.equal(ok.status, 200);
    const claims = readMemberStatement(new TextEncoder().encode(ok.body.credential as string));
    assert.deepEqual([claims?.userId, claims?.displayName], ['bob', 'Bob Durand']);
  });
});
