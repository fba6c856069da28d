/**
 * Issue 11, items 1, 2 and 4: hostile members attack the MLS relay through the real SFU (real mediasoup worker,
 * real signalling, real ts-mls in every client). Honest members run the product's E2eeSession unchanged; the
 * hostile one runs it too, with its outgoing requests rewritten, as a modified client would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { E2eeSession, SignallingError, type ToWorker } from '@conclave/client';
import { inspectMlsMessage, TsMlsEngine, type MlsMember } from '@conclave/e2ee';
import type { ClientRequest, ServerNotification } from '@conclave/protocol';
import { startSfu, type SfuFixture } from './support/sfu-fixture';

const noFrames = { postMessage: (_message: ToWorker) => undefined } as unknown as Worker;

type Request = ClientRequest['type'];
/** Rewrites or holds a request on its way out; returning undefined sends it unchanged. */
type Outgoing = (type: Request, payload: Record<string, unknown>) => Promise<Record<string, unknown> | void>;

/** A participant running the product's E2eeSession through the real SFU. */
async function participant(
  sfu: SfuFixture,
  user: string,
  room: string,
  options: { outgoing?: Outgoing; drop?: (m: ServerNotification) => boolean } = {},
) {
  const { client, hello } = await sfu.join({ user, room, participant: `${user}-${room}` });
  const send = client.request.bind(client);
  client.request = (async (type: Request, payload: Record<string, unknown>) => {
    const rewritten = (await options.outgoing?.(type, payload)) ?? payload;
    return send(type as never, rewritten as never);
  }) as typeof client.request;
  if (options.drop !== undefined) {
    const on = client.on.bind(client);
    client.on = ((type: ServerNotification['type'], listener: (m: ServerNotification) => void) =>
      on(type, (m: ServerNotification) => {
        if (!options.drop!(m)) listener(m);
      })) as typeof client.on;
  }
  const session = new E2eeSession(
    client,
    noFrames,
    { participantId: hello.participantId, userId: user },
    hello.e2ee,
    sfu.credentials.identity({ user, room, participant: hello.participantId }),
  );
  const epochs: { epoch: bigint; code: string }[] = [];
  const removals: string[] = [];
  const chats: string[] = [];
  session.on('epoch', (epoch, code) => epochs.push({ epoch, code }));
  session.on('removed', (reason) => removals.push(reason));
  session.on('chat', (m) => chats.push(m.text));
  await session.start();
  const reached = async (epoch: bigint, timeoutMs = 20_000) => {
    await until(
      () => epochs.some((e) => e.epoch >= epoch),
      timeoutMs,
      `${user} never reached epoch ${epoch}`,
    );
    return epochs.find((e) => e.epoch >= epoch)!;
  };
  return {
    client,
    hello,
    session,
    epochs,
    removals,
    chats,
    reached,
    codeAt: (epoch: bigint) => epochs.find((e) => e.epoch === epoch)?.code,
    /** White-box: the MLS member inside the session, to sign what a hostile client would. */
    mls: () => (session as unknown as { member: MlsMember }).member,
    close: async () => {
      await session.close();
      client.close();
    },
  };
}

async function until(done: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A PrivateMessage with its clear header rewritten (RFC 9420 §6.3: version, wire format, group_id<V>, epoch,
 * content_type are not authenticated): anyone on the path can do this without any key.
 */
function forgeHeader(message: string, contentType: 'commit', epochDelta: bigint): string {
  const bytes = new Uint8Array(Buffer.from(message, 'base64url'));
  const info = inspectMlsMessage(bytes);
  assert.ok(info.wireFormat === 'private_message' && info.groupId.length === 16);
  const epochAt = 4 + 1 + 16; // version, wire format, 1-byte length of a 16-byte group id (RFC 9420 §2.1.2)
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  view.setBigUint64(epochAt, info.epoch + epochDelta);
  bytes[epochAt + 8] = { commit: 3 }[contentType];
  const forged = inspectMlsMessage(bytes);
  assert.ok(forged.wireFormat === 'private_message' && forged.contentType === contentType);
  assert.equal(forged.epoch, info.epoch + epochDelta);
  return Buffer.from(bytes).toString('base64url');
}

const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'));

describe('item 1: a chat message cannot touch MLS state', () => {
  let sfu: SfuFixture;
  before(async () => {
    sfu = await startSfu();
  });
  after(() => sfu.close());

  test('mlsApplication carrying a "commit, epoch + 1" header is refused with bad_request; the others keep their state and chat', async () => {
    let forge: ((message: string) => string) | undefined;
    const alice = await participant(sfu, 'alice', 'chat-room');
    await alice.reached(0n);
    const bob = await participant(sfu, 'bob', 'chat-room');
    await Promise.all([alice.reached(1n), bob.reached(1n)]);
    const mallory = await participant(sfu, 'mallory', 'chat-room', {
      outgoing: async (type, payload) => {
        if (type === 'mlsApplication' && forge !== undefined)
          return { ...payload, message: forge(payload.message as string) };
      },
    });
    try {
      await Promise.all([alice.reached(2n), bob.reached(2n), mallory.reached(2n)]);
      forge = (m) => forgeHeader(m, 'commit', 1n);
      await assert.rejects(
        mallory.session.sendChat('wipe'),
        (e) => e instanceof SignallingError && e.code === 'bad_request',
      );
      forge = (m) => forgeHeader(m, 'commit', 0n);
      await assert.rejects(
        mallory.session.sendChat('wipe'),
        (e) => e instanceof SignallingError && e.code === 'bad_request',
      );
      forge = undefined;
      await alice.session.sendChat('still encrypted');
      await until(() => bob.chats.includes('still encrypted'), 10_000, 'bob never got the chat');
      await until(() => mallory.chats.includes('still encrypted'), 10_000, 'mallory never got the chat');
      assert.deepEqual(bob.removals, []);
      assert.deepEqual(alice.removals, []);
      assert.equal(bob.session.epoch, 2n);
      assert.equal(alice.session.epoch, 2n);
    } finally {
      await Promise.all([alice.close(), bob.close(), mallory.close()]);
    }
  });
});

describe('item 1: chat is relayed for the current epoch only', () => {
  let sfu: SfuFixture;
  before(async () => {
    sfu = await startSfu();
  });
  after(() => sfu.close());

  test('sendChat() of a message overtaken by a new epoch is refused stale_epoch once, re-encrypted and delivered', async () => {
    let held = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const refusals: string[] = [];
    const alice = await participant(sfu, 'alice', 'late-chat-room', {
      outgoing: async (type) => {
        if (type !== 'mlsApplication' || held) return;
        held = true;
        await gate;
      },
    });
    await alice.reached(0n);
    const bob = await participant(sfu, 'bob', 'late-chat-room');
    await Promise.all([alice.reached(1n), bob.reached(1n)]);
    const send = alice.client.request.bind(alice.client);
    alice.client.request = (async (type: Request, payload: Record<string, unknown>) =>
      send(type as never, payload as never).catch((error: unknown) => {
        if (error instanceof SignallingError) refusals.push(error.code);
        throw error;
      })) as typeof alice.client.request;
    const sent = alice.session.sendChat('across epochs');
    await until(() => held, 10_000, 'alice never sent');
    const carol = await participant(sfu, 'carol', 'late-chat-room');
    try {
      await Promise.all([alice.reached(2n), bob.reached(2n), carol.reached(2n)]);
      release();
      await sent;
      assert.deepEqual(refusals, ['stale_epoch']);
      await until(() => bob.chats.includes('across epochs'), 10_000, 'bob never got the chat');
      await until(() => carol.chats.includes('across epochs'), 10_000, 'carol never got the chat');
    } finally {
      release();
      await Promise.all([alice.close(), bob.close(), carol.close()]);
    }
  });
});

describe('item 2: only the designated committer gets a commit sequenced, and a bad commit cannot freeze the group', () => {
  let sfu: SfuFixture;
  before(async () => {
    sfu = await startSfu({ e2ee: { commitTimeoutMs: 1000 } });
  });
  after(() => sfu.close());

  test('a signed junk commit from a member that is not the designated committer is refused with not_committer; the joiner is keyed', async () => {
    let holdAlice = true;
    let released: () => void = () => undefined;
    const alicePaused = new Promise<void>((resolve) => (released = resolve));
    const alice = await participant(sfu, 'alice', 'junk-room', {
      outgoing: async (type) => {
        if (type === 'mlsCommit' && holdAlice) await alicePaused;
      },
    });
    await alice.reached(0n);
    holdAlice = false;
    const mallory = await participant(sfu, 'mallory', 'junk-room');
    await Promise.all([alice.reached(1n), mallory.reached(1n)]);
    let chat = '';
    const send = mallory.client.request.bind(mallory.client);
    mallory.client.request = (async (type: Request, payload: Record<string, unknown>) => {
      if (type === 'mlsApplication') chat = payload.message as string;
      return send(type as never, payload as never);
    }) as typeof mallory.client.request;
    await mallory.session.sendChat('a ciphertext to dress up as a commit');
    let refusal: unknown;
    let attacked: () => void = () => undefined;
    const attackDone = new Promise<void>((resolve) => (attacked = resolve));
    holdAlice = true;
    mallory.client.on('mlsProposal', (m) => {
      if (m.change.type !== 'add') return;
      void (async () => {
        const commit = forgeHeader(chat, 'commit', 0n);
        const covers = { added: [m.change.type === 'add' ? m.change.signatureKey : ''], removed: [] };
        const authentication = await mallory.mls().authenticateCommit({
          groupId: fromB64(mallory.hello.e2ee.groupId),
          epoch: 1n,
          commit: fromB64(commit),
          added: covers.added.map(fromB64),
          removed: [],
        });
        await send('mlsCommit', {
          epoch: 1,
          commit,
          covers,
          authentication: Buffer.from(authentication).toString('base64url'),
        }).catch((error: unknown) => (refusal = error));
        attacked();
      })();
    });
    const carol = await participant(sfu, 'carol', 'junk-room');
    try {
      await attackDone;
      holdAlice = false;
      released();
      assert.ok(refusal instanceof SignallingError);
      assert.equal(refusal.code, 'not_committer');
      const [a, m, c] = await Promise.all([alice.reached(2n), mallory.reached(2n), carol.reached(2n)]);
      assert.equal(c.epoch, 2n);
      assert.equal(a.code, c.code);
      assert.equal(m.code, c.code);
      assert.deepEqual([...alice.removals, ...carol.removals], []);
    } finally {
      released();
      await Promise.all([alice.close(), mallory.close(), carol.close()]);
    }
  });

  test('an update commit from a member whose turn it is not is refused with not_committer and changes nothing', async () => {
    const alice = await participant(sfu, 'alice', 'turn-room');
    await alice.reached(0n);
    const bob = await participant(sfu, 'bob', 'turn-room');
    await Promise.all([alice.reached(1n), bob.reached(1n)]);
    // Epoch 1 of two members: bob's turn (position 1 mod 2). Alice commits an update anyway, properly signed.
    const pending = await alice.mls().commit();
    try {
      await assert.rejects(
        alice.client.request('mlsCommit', {
          epoch: Number(pending.epoch),
          commit: Buffer.from(pending.commit).toString('base64url'),
          covers: { added: [], removed: [] },
          authentication: Buffer.from(pending.authentication).toString('base64url'),
        }),
        (e) => e instanceof SignallingError && e.code === 'not_committer',
      );
      await alice.mls().discardCommit();
      const observer = await sfu.join({ user: 'olga', room: 'turn-room', participant: 'olga-turn' });
      assert.equal(observer.hello.e2ee.epoch, 1, 'nothing was sequenced');
      observer.client.close();
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  test("a designated committer's commit whose authentication does not match is refused with commit_rejected", async () => {
    const alice = await participant(sfu, 'alice', 'sig-room', {
      outgoing: async (type, payload) => {
        if (type !== 'mlsCommit') return;
        const signature = fromB64(payload.authentication as string);
        signature[signature.length - 1] ^= 1;
        return { ...payload, authentication: Buffer.from(signature).toString('base64url') };
      },
    });
    await alice.reached(0n);
    const refusals: unknown[] = [];
    const send = alice.client.request.bind(alice.client);
    alice.client.request = (async (type: Request, payload: Record<string, unknown>) =>
      send(type as never, payload as never).catch((error: unknown) => {
        refusals.push(error);
        throw error;
      })) as typeof alice.client.request;
    const bob = await participant(sfu, 'bob', 'sig-room');
    try {
      await until(() => refusals.length > 0, 10_000, 'alice never committed');
      assert.ok(refusals[0] instanceof SignallingError);
      assert.equal(refusals[0].code, 'commit_rejected');
      const observer = await sfu.join({ user: 'olga', room: 'sig-room', participant: 'olga-sig' });
      assert.equal(observer.hello.e2ee.epoch, 0, 'nothing was sequenced');
      observer.client.close();
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  test('a designated committer whose signed commit the members cannot process is excluded; they rejoin, the joiner stays keyed and the hostile one is rekeyed out', async () => {
    const hostile: { junk?: string } = {};
    const mallory = await participant(sfu, 'mallory', 'evil-room', {
      outgoing: async (type, payload) => {
        if (type !== 'mlsCommit' || hostile.junk === undefined) return;
        // Her real Welcome goes to the joiner; the members get a ciphertext dressed up as the commit.
        const commit = hostile.junk;
        const welcome = payload.welcome as string | undefined;
        const covers = payload.covers as { added: string[]; removed: number[] };
        const authentication = await mallory.mls().authenticateCommit({
          groupId: fromB64(mallory.hello.e2ee.groupId),
          epoch: BigInt(payload.epoch as number),
          commit: fromB64(commit),
          ...(welcome !== undefined ? { welcome: fromB64(welcome) } : {}),
          added: covers.added.map(fromB64),
          removed: covers.removed,
        });
        return { ...payload, commit, authentication: Buffer.from(authentication).toString('base64url') };
      },
    });
    await mallory.reached(0n);
    const alice = await participant(sfu, 'alice', 'evil-room');
    await Promise.all([mallory.reached(1n), alice.reached(1n)]);
    const bob = await participant(sfu, 'bob', 'evil-room');
    await Promise.all([mallory.reached(2n), alice.reached(2n), bob.reached(2n)]);
    let chat = '';
    const send = mallory.client.request.bind(mallory.client);
    mallory.client.request = (async (type: Request, payload: Record<string, unknown>) => {
      if (type === 'mlsApplication') chat = payload.message as string;
      return send(type as never, payload as never);
    }) as typeof mallory.client.request;
    await mallory.session.sendChat('soon a commit');
    hostile.junk = forgeHeader(chat, 'commit', 0n);
    const carol = await participant(sfu, 'carol', 'evil-room');
    try {
      // Carol is welcomed into epoch 3 by mallory's real Welcome; alice and bob cannot process the junk.
      await carol.reached(3n);
      const [a, b, c] = await Promise.all([alice.reached(4n), bob.reached(4n), carol.reached(4n)]);
      const epoch = [a, b, c].map((x) => x.epoch).reduce((x, y) => (x > y ? x : y));
      await Promise.all([alice.reached(epoch), bob.reached(epoch), carol.reached(epoch)]);
      assert.equal(alice.codeAt(epoch), carol.codeAt(epoch));
      assert.equal(bob.codeAt(epoch), carol.codeAt(epoch));
      assert.ok(alice.removals.includes('commit-unprocessable'), 'alice was told she lost her place');
      assert.ok(bob.removals.includes('commit-unprocessable'), 'bob was told he lost his place');
      await until(
        () => !carol.session.members().some((m) => m.userId === 'mallory'),
        10_000,
        'mallory is still in the group',
      );
      assert.deepEqual(
        alice.session
          .members()
          .map((m) => m.userId)
          .sort(),
        ['alice', 'bob', 'carol'],
      );
      await until(
        () => mallory.removals.includes('removed-by-commit'),
        10_000,
        `mallory was not rekeyed out (${mallory.removals.join(', ')})`,
      );
      // She cannot come back into the group in this meeting.
      const again = await new TsMlsEngine().createMember({
        userId: 'mallory',
        deliveryServiceKey: fromB64(mallory.hello.e2ee.externalSenderKey),
        authorizeMember: () => true,
      });
      await assert.rejects(
        send('mlsKeyPackage', { keyPackage: Buffer.from(again.keyPackage).toString('base64url') }),
        (e) => e instanceof SignallingError && e.code === 'forbidden',
      );
    } finally {
      await Promise.all([alice.close(), bob.close(), carol.close(), mallory.close()]);
    }
  });

  test('a member that missed a commit finds the group ahead, rejoins by itself and is keyed again', async () => {
    let dropNext = false;
    const alice = await participant(sfu, 'alice', 'behind-room');
    await alice.reached(0n);
    const bob = await participant(sfu, 'bob', 'behind-room', {
      drop: (m) => {
        if (m.type !== 'mlsCommit' || !dropNext) return false;
        dropNext = false;
        return true;
      },
    });
    await Promise.all([alice.reached(1n), bob.reached(1n)]);
    dropNext = true;
    const carol = await participant(sfu, 'carol', 'behind-room');
    await Promise.all([alice.reached(2n), carol.reached(2n)]);
    const dave = await participant(sfu, 'dave', 'behind-room');
    try {
      const [a, b, c, d] = await Promise.all([
        alice.reached(4n),
        bob.reached(4n),
        carol.reached(4n),
        dave.reached(4n),
      ]);
      const epoch = [a, b, c, d].map((x) => x.epoch).reduce((x, y) => (x > y ? x : y));
      await Promise.all([
        alice.reached(epoch),
        bob.reached(epoch),
        carol.reached(epoch),
        dave.reached(epoch),
      ]);
      assert.equal(bob.codeAt(epoch), alice.codeAt(epoch));
      assert.equal(dave.codeAt(epoch), alice.codeAt(epoch));
      assert.deepEqual(bob.removals, ['cannot-follow']);
      assert.equal(bob.session.members().length, 4);
    } finally {
      await Promise.all([alice.close(), bob.close(), carol.close(), dave.close()]);
    }
  });
});

describe('item 4: key packages and re-formed groups cannot freeze joiners out', () => {
  let sfu: SfuFixture;
  before(async () => {
    sfu = await startSfu({ e2ee: { commitTimeoutMs: 1000 } });
  });
  after(() => sfu.close());

  test('a second key package while the first is proposed is refused with conflict; the joiner is keyed with the first', async () => {
    let hold = true;
    let released: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => (released = resolve));
    let committing = false;
    const alice = await participant(sfu, 'alice', 'twice-room', {
      outgoing: async (type) => {
        if (type !== 'mlsCommit' || !hold) return;
        committing = true;
        await paused;
      },
    });
    await alice.reached(0n);
    const bob = await participant(sfu, 'bob', 'twice-room');
    try {
      await until(() => committing, 10_000, 'alice never committed');
      const second = await new TsMlsEngine().createMember({
        userId: 'bob',
        deliveryServiceKey: fromB64(bob.hello.e2ee.externalSenderKey),
        authorizeMember: () => true,
      });
      await assert.rejects(
        bob.client.request('mlsKeyPackage', {
          keyPackage: Buffer.from(second.keyPackage).toString('base64url'),
        }),
        (e) => e instanceof SignallingError && e.code === 'conflict',
      );
      hold = false;
      released();
      const [a, b] = await Promise.all([alice.reached(1n), bob.reached(1n)]);
      assert.equal(a.code, b.code);
      const carol = await participant(sfu, 'carol', 'twice-room');
      const [a2, c2] = await Promise.all([alice.reached(2n), carol.reached(2n)]);
      assert.equal(a2.code, c2.code);
      await carol.close();
    } finally {
      released();
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  test('after the last member leaves, the group is re-created under a new group id and later joiners are keyed', async () => {
    let committing = false;
    const alice = await participant(sfu, 'alice', 'reform-room', {
      outgoing: async (type) => {
        if (type !== 'mlsCommit') return;
        committing = true;
        await new Promise(() => undefined); // alice freezes, then leaves before committing
      },
    });
    await alice.reached(0n);
    const oldGroupId = alice.hello.e2ee.groupId;
    const reformed: string[] = [];
    const bob = await participant(sfu, 'bob', 'reform-room');
    bob.client.on('mlsCreateGroup', (m) => reformed.push(m.groupId));
    try {
      await until(() => committing, 10_000, 'alice never committed');
      await alice.close();
      await bob.reached(0n);
      assert.equal(reformed.length, 1);
      assert.notEqual(reformed[0], oldGroupId);
      const carol = await participant(sfu, 'carol', 'reform-room');
      assert.equal(carol.hello.e2ee.groupId, reformed[0]);
      const [b, c] = await Promise.all([bob.reached(1n), carol.reached(1n)]);
      assert.equal(b.code, c.code);
      await carol.close();
    } finally {
      await bob.close();
    }
  });
});
