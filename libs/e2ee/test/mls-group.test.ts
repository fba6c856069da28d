/**
 * The MLS adapter end to end, with an in-memory stand-in for the SFU: a real `MlsDeliveryService` (external
 * sender), a real `CommitSequencer`, and the announcements the SFU makes after checking join tickets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { joinGroup, type ClientState } from 'ts-mls/clientState.js';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import { createCommit } from 'ts-mls/createCommit.js';
import { generateKeyPackage } from 'ts-mls/keyPackage.js';
import { defaultCapabilities } from 'ts-mls/defaultCapabilities.js';
import { defaultLifetime } from 'ts-mls/lifetime.js';
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls/message.js';
import { emptyPskIndex } from 'ts-mls/pskIndex.js';
import { encodeKid, EpochKeyring, EpochKeys } from '../src/keyring';
import {
  CommitSequencer,
  DELIVERY_SERVICE_IDENTITY,
  inspectMlsMessage,
  MlsError,
  TsMlsEngine,
  type MlsDeliveryService,
  type MlsIncoming,
  type MlsMember,
  type MlsSuite,
} from '../src/mls';
import { conclaveAuthenticationService } from '../src/mls/credentials';
import { loadSuite } from '../src/mls/suites';

const engine = new TsMlsEngine();
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The SFU's side, as the tests need it: delivery service, sequencer, announcements, relaying. */
class FakeSfu {
  readonly announced = new Map<string, string>(); // userId → signature key (hex), from checked join tickets
  readonly leaving = new Set<string>();
  readonly members: MlsMember[] = [];
  sequencer!: CommitSequencer;
  readonly groupId = crypto.getRandomValues(new Uint8Array(16));

  private constructor(
    readonly ds: MlsDeliveryService,
    readonly suite: MlsSuite,
  ) {}

  static async open(suite: MlsSuite = 'aes256'): Promise<FakeSfu> {
    return new FakeSfu(await engine.createDeliveryService({ suite }), suite);
  }

  /** A client session: fresh keys, the app's hooks wired to this SFU's announcements. */
  client(userId: string): Promise<MlsMember> {
    return engine.createMember({
      userId,
      suite: this.suite,
      deliveryServiceKey: this.ds.signaturePublicKey,
      authorizeMember: ({ userId: claimed, signaturePublicKey }) =>
        this.announced.get(claimed) === hex(signaturePublicKey),
      authorizeRemoval: (member) => this.leaving.has(member.userId),
    });
  }

  /** First participant: announced, creates the group. */
  async found(member: MlsMember): Promise<void> {
    this.announce(member.userId, member.signaturePublicKey);
    await member.createGroup(this.groupId);
    this.sequencer = new CommitSequencer(this.groupId, member.epoch);
    this.members.push(member);
  }

  announce(userId: string, signaturePublicKey: Uint8Array): void {
    this.announced.set(userId, hex(signaturePublicKey));
  }

  /** What the SFU does with a joiner's KeyPackage: check it names the ticket's user, announce, propose Add. */
  async proposeJoin(ticketUser: string, keyPackage: Uint8Array): Promise<Uint8Array> {
    const info = await this.ds.inspectKeyPackage(keyPackage);
    assert.equal(info.userId, ticketUser, 'the SFU only relays a KeyPackage naming the ticket user');
    this.announce(info.userId, info.signaturePublicKey);
    return this.ds.proposeAdd({ groupId: this.groupId, epoch: this.sequencer.epoch, keyPackage });
  }

  async broadcast(message: Uint8Array, to: MlsMember[] = this.members): Promise<MlsIncoming[]> {
    const out: MlsIncoming[] = [];
    for (const m of to) out.push(await m.handle(message));
    return out;
  }

  /** `committer` commits what is pending; the SFU sequences it, relays it and the Welcome. */
  async commitBy(committer: MlsMember, joiners: MlsMember[] = []): Promise<Uint8Array> {
    const pending = await committer.commit();
    assert.ok(
      await this.ds.verifyCommit(
        {
          groupId: this.groupId,
          epoch: pending.epoch,
          commit: pending.commit,
          welcome: pending.welcome,
          ...pending.covers,
        },
        committer.signaturePublicKey,
        pending.authentication,
      ),
      "the commit's authentication verifies with its committer's leaf key",
    );
    const verdict = this.sequencer.offer(pending.commit);
    assert.equal(verdict.verdict, 'accepted');
    await committer.confirmCommit();
    await this.broadcast(
      pending.commit,
      this.members.filter((m) => m !== committer),
    );
    for (const joiner of joiners) {
      assert.ok(pending.welcome);
      const info = await this.ds.inspectKeyPackage(joiner.keyPackage);
      assert.ok(
        inspectedRecipients(pending.welcome).includes(info.keyPackageRef),
        'Welcome names the joiner',
      );
      await joiner.joinFromWelcome(pending.welcome, pending.ratchetTree);
      this.members.push(joiner);
    }
    return pending.commit;
  }

  async admit(joiner: MlsMember, committer = this.members[0]): Promise<void> {
    await this.broadcast(await this.proposeJoin(joiner.userId, joiner.keyPackage));
    await this.commitBy(committer, [joiner]);
  }

  async remove(member: MlsMember, committer = this.members[0]): Promise<Uint8Array> {
    this.leaving.add(member.userId);
    const proposal = await this.ds.proposeRemove({
      groupId: this.groupId,
      epoch: this.sequencer.epoch,
      leafIndex: member.ownLeafIndex,
    });
    await this.broadcast(proposal);
    this.members.splice(this.members.indexOf(member), 1);
    return this.commitBy(committer);
  }
}

/** A PrivateMessage with its clear header (RFC 9420 §6.3) rewritten: what any relay or member can do. */
function forgeHeader(bytes: Uint8Array, contentType: 'commit' | 'proposal', epochDelta: bigint): Uint8Array {
  const decoded = decodeMlsMessage(bytes, 0);
  assert.ok(decoded !== undefined && decoded[0].wireformat === 'mls_private_message');
  const message = decoded[0];
  return encodeMlsMessage({
    ...message,
    privateMessage: {
      ...message.privateMessage,
      contentType,
      epoch: message.privateMessage.epoch + epochDelta,
    },
  });
}

function inspectedRecipients(welcome: Uint8Array): readonly string[] {
  const info = inspectMlsMessage(welcome);
  assert.equal(info.wireFormat, 'welcome');
  return info.wireFormat === 'welcome' ? info.recipients : [];
}

async function sframeKeys(member: MlsMember): Promise<EpochKeys> {
  return EpochKeys.fromExporter(member.epochExporter());
}

async function groupOf(sfu: FakeSfu, names: string[]): Promise<MlsMember[]> {
  const [founder, ...others] = await Promise.all(names.map((n) => sfu.client(n)));
  await sfu.found(founder);
  for (const m of others) await sfu.admit(m);
  return [founder, ...others];
}

/** White-box access for the erasure tests only. */
function stateOf(member: MlsMember): ClientState {
  const state = (member as unknown as { state?: ClientState }).state;
  assert.ok(state);
  return state;
}

const isZero = (b: Uint8Array): boolean => b.length > 0 && b.every((x) => x === 0);

describe('MLS group (default suite aes256: P-384, AES-256-GCM)', () => {
  test('three members agree on epoch, member list, SFrame base key and safety code', async () => {
    const sfu = await FakeSfu.open();
    const [a, b, c] = await groupOf(sfu, ['alice', 'bob', 'carol']);
    assert.deepEqual([a.epoch, b.epoch, c.epoch], [2n, 2n, 2n]);
    for (const m of [a, b, c])
      assert.deepEqual(
        m.members().map((x) => x.userId),
        ['alice', 'bob', 'carol'],
      );
    const keys = await Promise.all([a, b, c].map(sframeKeys));
    assert.equal(hex(keys[1].baseKey), hex(keys[0].baseKey));
    assert.equal(hex(keys[2].baseKey), hex(keys[0].baseKey));
    assert.equal(keys[0].baseKey.length, 32);
    const codes = await Promise.all([a, b, c].map((m) => m.safetyCode()));
    assert.match(codes[0], /^\d{5}( \d{5}){4}$/);
    assert.deepEqual(codes, [codes[0], codes[0], codes[0]]);
    assert.equal(hex(b.epochAuthenticator()), hex(a.epochAuthenticator()));
    const context = text('conclave test');
    assert.equal(
      hex(await b.exportSecret('label', context, 42)),
      hex(await a.exportSecret('label', context, 42)),
    );
  });

  test('a fourth member joins via an external Add and a commit: new epoch, and the newcomer cannot derive the previous epoch key', async () => {
    const sfu = await FakeSfu.open();
    const [a, b, c] = await groupOf(sfu, ['alice', 'bob', 'carol']);
    const before = await sframeKeys(a);
    const oldCode = await a.safetyCode();
    const dave = await sfu.client('dave');

    const proposal = await sfu.proposeJoin('dave', dave.keyPackage);
    const seen = await sfu.broadcast(proposal);
    assert.deepEqual(
      seen.map((x) => x.kind),
      ['proposal', 'proposal', 'proposal'],
    );
    assert.deepEqual(
      b.pendingProposals().map((p) => [p.type, p.type === 'add' && p.userId]),
      [['add', 'dave']],
    );
    await sfu.commitBy(b, [dave]);

    assert.deepEqual([a.epoch, b.epoch, c.epoch, dave.epoch], [3n, 3n, 3n, 3n]);
    const after = await Promise.all([a, b, c, dave].map(sframeKeys));
    for (const k of after) assert.equal(hex(k.baseKey), hex(after[0].baseKey));
    assert.notEqual(
      hex(after[3].baseKey),
      hex(before.baseKey),
      "the newcomer's key is not the previous epoch's",
    );
    assert.notEqual(await dave.safetyCode(), oldCode);
    assert.equal(await dave.safetyCode(), await a.safetyCode());
    // The newcomer holds nothing of epoch 2: no exporter for it, so no key for a KID of epoch 2.
    const ring = new EpochKeyring();
    ring.install(after[3]);
    assert.equal(ring.baseKeyFor(before.kidFor(a.ownLeafIndex)), undefined);
    assert.deepEqual(
      dave.members().map((m) => m.userId),
      ['alice', 'bob', 'carol', 'dave'],
    );
    ring.clear();
  });

  test('an external Remove and a commit: the others move on, the removed member gets a typed "removed" and its last key is not the new one', async () => {
    const sfu = await FakeSfu.open();
    const [a, b, c, d] = await groupOf(sfu, ['alice', 'bob', 'carol', 'dave']);
    const lastOfDave = await sframeKeys(d);
    const lastKeyOfDave = hex(lastOfDave.baseKey);

    sfu.leaving.add('dave');
    const proposal = await sfu.ds.proposeRemove({
      groupId: sfu.groupId,
      epoch: sfu.sequencer.epoch,
      leafIndex: d.ownLeafIndex,
    });
    const seen = await sfu.broadcast(proposal);
    assert.ok(
      seen.every(
        (x) => x.kind === 'proposal' && x.proposal.type === 'remove' && x.proposal.userId === 'dave',
      ),
    );
    const pending = await a.commit();
    assert.equal(sfu.sequencer.offer(pending.commit).verdict, 'accepted');
    const change = await a.confirmCommit();
    assert.deepEqual(
      change.removed.map((m) => m.userId),
      ['dave'],
    );
    for (const m of [b, c]) assert.equal((await m.handle(pending.commit)).kind, 'epoch');

    const outcome = await d.handle(pending.commit);
    assert.deepEqual(outcome, { kind: 'removed', reason: 'removed-by-commit', epoch: 3n });
    assert.equal(d.active, false);
    sfu.members.splice(sfu.members.indexOf(d), 1);

    const now = await Promise.all([a, b, c].map(sframeKeys));
    assert.equal(now[0].epoch, 4n);
    assert.equal(hex(now[1].baseKey), hex(now[0].baseKey));
    assert.notEqual(hex(now[0].baseKey), lastKeyOfDave);

    // The group goes on; the removed member's state cannot process the next commit either.
    const next = await sfu.commitBy(b);
    assert.deepEqual(await d.handle(next), { kind: 'removed', reason: 'removed-by-commit', epoch: 3n });
    await assert.rejects(
      d.encrypt(text('still here?')),
      (e) => e instanceof MlsError && e.code === 'removed',
    );
    await assert.rejects(
      d.exportSecret('x', new Uint8Array(0), 16),
      (e) => e instanceof MlsError && e.code === 'removed',
    );
  });

  test("handle() of a commit for a later epoch than the member's fails with wrong_epoch and keeps its state (its session rejoins)", async () => {
    const sfu = await FakeSfu.open();
    const [a, , c] = await groupOf(sfu, ['alice', 'bob', 'carol']);
    sfu.leaving.add('carol');
    const proposal = await sfu.ds.proposeRemove({
      groupId: sfu.groupId,
      epoch: sfu.sequencer.epoch,
      leafIndex: c.ownLeafIndex,
    });
    sfu.members.splice(sfu.members.indexOf(c), 1);
    await sfu.broadcast(proposal); // carol is offline: she sees neither the proposal nor the commit
    await sfu.commitBy(a);
    const later = await sfu.commitBy(a);
    await assert.rejects(c.handle(later), (e) => e instanceof MlsError && e.code === 'wrong_epoch');
    assert.equal(c.active, true);
    assert.equal(c.epoch, 2n);
  });

  test('a chat message whose clear header says "commit, epoch + 1" is refused by handle() and handleApplication() and erases nothing', async () => {
    const sfu = await FakeSfu.open();
    const [a, b, c] = await groupOf(sfu, ['alice', 'bob', 'carol']);
    const forged = forgeHeader(await c.encrypt(text('hello')), 'commit', 1n);
    const before = hex(b.epochAuthenticator());
    await assert.rejects(b.handle(forged), (e) => e instanceof MlsError && e.code === 'wrong_epoch');
    await assert.rejects(
      b.handleApplication(forged),
      (e) => e instanceof MlsError && e.code === 'invalid_message',
    );
    const sameEpoch = forgeHeader(await c.encrypt(text('hello')), 'commit', 0n);
    await assert.rejects(
      b.handleApplication(sameEpoch),
      (e) => e instanceof MlsError && e.code === 'invalid_message',
    );
    assert.equal(b.active, true);
    assert.equal(hex(b.epochAuthenticator()), before);
    const got = await b.handleApplication(await a.encrypt(text('still here')));
    assert.equal(new TextDecoder().decode(got.data), 'still here');
  });

  test('verifyCommit() refuses an authentication by another member, or over other covers or another commit', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob']);
    const dave = await sfu.client('dave');
    await sfu.broadcast(await sfu.proposeJoin('dave', dave.keyPackage));
    const pending = await a.commit();
    const content = {
      groupId: sfu.groupId,
      epoch: pending.epoch,
      commit: pending.commit,
      welcome: pending.welcome,
      ...pending.covers,
    };
    assert.equal(pending.covers.added.length, 1);
    assert.ok(await sfu.ds.verifyCommit(content, a.signaturePublicKey, pending.authentication));
    assert.equal(await sfu.ds.verifyCommit(content, b.signaturePublicKey, pending.authentication), false);
    assert.equal(
      await sfu.ds.verifyCommit({ ...content, added: [] }, a.signaturePublicKey, pending.authentication),
      false,
    );
    const other = new Uint8Array(pending.commit);
    other[other.length - 1] ^= 1;
    assert.equal(
      await sfu.ds.verifyCommit({ ...content, commit: other }, a.signaturePublicKey, pending.authentication),
      false,
    );
    assert.equal(
      await sfu.ds.verifyCommit(
        { ...content, epoch: pending.epoch + 1n },
        a.signaturePublicKey,
        pending.authentication,
      ),
      false,
    );
  });

  test('a KeyPackage whose identity is not what the delivery service announced is refused (credential_rejected)', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob']);
    // Mallory claims to be bob with her own key: the SFU announced bob with bob's key.
    const mallory = await sfu.client('bob');
    const info = await sfu.ds.inspectKeyPackage(mallory.keyPackage);
    assert.equal(info.userId, 'bob');
    const forged = await sfu.ds.proposeAdd({
      groupId: sfu.groupId,
      epoch: sfu.sequencer.epoch,
      keyPackage: mallory.keyPackage,
    });
    for (const m of [a, b]) {
      await assert.rejects(
        m.handle(forged),
        (e) => e instanceof MlsError && e.code === 'credential_rejected',
      );
    }
    assert.equal(a.pendingProposals().length, 0, 'nothing was queued for the next commit');
    // The SFU's own check: the KeyPackage of a ticket for "mallory" names "bob" → not relayed.
    await assert.rejects(sfu.proposeJoin('mallory', mallory.keyPackage), assert.AssertionError);
  });

  test('the credential validator accepts only basic user:<id> credentials it was told about, and the delivery service only with its key', async () => {
    const cs = await loadSuite('aes256');
    const ds = (await cs.signature.keygen()).publicKey;
    const bob = (await cs.signature.keygen()).publicKey;
    const other = (await cs.signature.keygen()).publicKey;
    const auth = conclaveAuthenticationService({
      deliveryServiceKey: ds,
      self: { credential: text('user:alice'), signaturePublicKey: other },
      authorizeMember: ({ userId, signaturePublicKey }) =>
        userId === 'bob' && hex(signaturePublicKey) === hex(bob),
    });
    const basic = (identity: string) => ({ credentialType: 'basic' as const, identity: text(identity) });
    assert.equal(await auth.validateCredential(basic('user:bob'), bob), true);
    assert.equal(await auth.validateCredential(basic('user:bob'), other), false, 'announced user, other key');
    assert.equal(await auth.validateCredential(basic('user:carol'), bob), false, 'not announced');
    assert.equal(await auth.validateCredential(basic('bob'), bob), false, 'no user: prefix');
    assert.equal(await auth.validateCredential(basic('user:bo b'), bob), false, 'malformed user id');
    assert.equal(
      await auth.validateCredential({ credentialType: 'basic', identity: new Uint8Array([0x75, 0xff]) }, bob),
      false,
      'not UTF-8',
    );
    assert.equal(
      await auth.validateCredential({ credentialType: 'x509', certificates: [] }, bob),
      false,
      'x509',
    );
    assert.equal(await auth.validateCredential(basic(DELIVERY_SERVICE_IDENTITY), ds), true);
    assert.equal(
      await auth.validateCredential(basic(DELIVERY_SERVICE_IDENTITY), bob),
      false,
      'delivery service, wrong key',
    );
    assert.match(auth.takeRefusal() ?? '', /delivery-service key/);
  });

  test('a commit adding a member by value, not proposed by the delivery service, is refused (policy_rejected)', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob']);
    // A rogue client joins normally but runs raw ts-mls, then commits an Add of an eavesdropper on its own.
    const cs = await loadSuite('aes256');
    const rogueKp = await generateKeyPackage(
      { credentialType: 'basic', identity: text('user:rogue') },
      defaultCapabilities(),
      defaultLifetime,
      [],
      cs,
    );
    const rogueBytes = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_key_package',
      keyPackage: rogueKp.publicPackage,
    });
    await sfu.broadcast(await sfu.proposeJoin('rogue', rogueBytes));
    const pending = await a.commit();
    sfu.sequencer.offer(pending.commit);
    await a.confirmCommit();
    await b.handle(pending.commit);
    const welcome = decodeMlsMessage(pending.welcome as Uint8Array, 0)?.[0];
    assert.ok(welcome?.wireformat === 'mls_welcome');
    const rogue = await joinGroup(
      welcome.welcome,
      rogueKp.publicPackage,
      rogueKp.privatePackage,
      emptyPskIndex,
      cs,
      undefined,
      undefined,
      defaultClientConfig,
    );
    const eve = await generateKeyPackage(
      { credentialType: 'basic', identity: text('user:eve') },
      defaultCapabilities(),
      defaultLifetime,
      [],
      cs,
    );
    sfu.announce('eve', eve.publicPackage.leafNode.signaturePublicKey); // even if eve's identity checks out
    const sneaky = await createCommit(
      { state: rogue, cipherSuite: cs },
      { extraProposals: [{ proposalType: 'add', add: { keyPackage: eve.publicPackage } }] },
    );
    const bytes = encodeMlsMessage(sneaky.commit);
    for (const m of [a, b])
      await assert.rejects(m.handle(bytes), (e) => e instanceof MlsError && e.code === 'policy_rejected');
    assert.equal(a.epoch, 2n);
  });

  test('an external Remove of a member the SFU did not announce as leaving is refused (policy_rejected)', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob']);
    const proposal = await sfu.ds.proposeRemove({
      groupId: sfu.groupId,
      epoch: sfu.sequencer.epoch,
      leafIndex: b.ownLeafIndex,
    });
    await assert.rejects(a.handle(proposal), (e) => e instanceof MlsError && e.code === 'policy_rejected');
  });

  test('two commits for the same epoch: the sequencer accepts the first and tells the second to retry; the loser converges', async () => {
    const sfu = await FakeSfu.open();
    const [a, b, c] = await groupOf(sfu, ['alice', 'bob', 'carol']);
    const fromA = await a.commit();
    const fromB = await b.commit();
    assert.equal(fromA.epoch, fromB.epoch);
    assert.deepEqual(sfu.sequencer.offer(fromA.commit), { verdict: 'accepted', epoch: 2n, nextEpoch: 3n });
    assert.deepEqual(sfu.sequencer.offer(fromB.commit), { verdict: 'retry', epoch: 2n, currentEpoch: 3n });
    await a.confirmCommit();
    await b.discardCommit();
    await assert.rejects(b.confirmCommit(), (e) => e instanceof MlsError && e.code === 'no_pending_commit');
    for (const m of [b, c]) assert.equal((await m.handle(fromA.commit)).kind, 'epoch');
    assert.deepEqual([a.epoch, b.epoch, c.epoch], [3n, 3n, 3n]);
    assert.equal(await b.safetyCode(), await a.safetyCode());
    // Retrying: b commits again in the new epoch and wins it.
    const retry = await b.commit();
    assert.equal(sfu.sequencer.offer(retry.commit).verdict, 'accepted');
    await b.confirmCommit();
    for (const m of [a, c]) await m.handle(retry.commit);
    assert.equal(await c.safetyCode(), await b.safetyCode());
  });

  test('a member holding a pending commit that receives the winning commit drops its own and follows the winner', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob']);
    const fromA = await a.commit();
    await b.commit();
    sfu.sequencer.offer(fromA.commit);
    await a.confirmCommit();
    const outcome = await b.handle(fromA.commit);
    assert.equal(outcome.kind === 'epoch' && outcome.change.committer, a.ownLeafIndex);
    assert.equal(await b.safetyCode(), await a.safetyCode());
  });

  test('chat: encrypt() by one member decrypts at the others with the sender authenticated; tampering is detected', async () => {
    const sfu = await FakeSfu.open();
    const [a, b, c] = await groupOf(sfu, ['alice', 'bob', 'carol']);
    const message = await b.encrypt(text('bonjour'));
    const info = inspectMlsMessage(message);
    assert.ok(
      info.wireFormat === 'private_message' && info.contentType === 'application' && info.epoch === 2n,
    );
    for (const m of [a, c]) {
      const got = await m.handle(message);
      assert.equal(got.kind, 'application');
      if (got.kind !== 'application') continue;
      assert.equal(new TextDecoder().decode(got.data), 'bonjour');
      assert.deepEqual(
        { userId: got.sender.userId, leafIndex: got.sender.leafIndex },
        { userId: 'bob', leafIndex: b.ownLeafIndex },
      );
    }
    const tampered = new Uint8Array(await a.encrypt(text('x')));
    tampered[tampered.length - 1] ^= 1;
    await assert.rejects(c.handle(tampered), (e) => e instanceof MlsError && e.code === 'invalid_message');
  });

  test('chat: messages of the old epoch received while our commit was pending, or after it, still decrypt', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob', 'carol']);
    const pending = await a.commit();
    const first = await b.encrypt(text('one'));
    const second = await b.encrypt(text('two'));
    const got1 = await a.handle(first); // while our commit waits for the delivery service
    assert.ok(got1.kind === 'application' && new TextDecoder().decode(got1.data) === 'one');
    sfu.sequencer.offer(pending.commit);
    await a.confirmCommit();
    const got2 = await a.handle(second); // late: epoch 2 while alice is at 3
    assert.ok(
      got2.kind === 'application' && got2.epoch === 2n && new TextDecoder().decode(got2.data) === 'two',
    );
  });

  test('chat: encrypt() with proposals pending is refused (RFC 9420 §12.4: commit first)', async () => {
    const sfu = await FakeSfu.open();
    const [a] = await groupOf(sfu, ['alice', 'bob']);
    const carol = await sfu.client('carol');
    await sfu.broadcast(await sfu.proposeJoin('carol', carol.keyPackage));
    await assert.rejects(
      a.encrypt(text('hi')),
      (e) => e instanceof MlsError && e.code === 'proposals_pending',
    );
  });

  test('the delivery service reads epoch, group and content type of commits, proposals and Welcomes without secrets', async () => {
    const sfu = await FakeSfu.open();
    const [a] = await groupOf(sfu, ['alice']);
    const bob = await sfu.client('bob');
    const proposal = await sfu.proposeJoin('bob', bob.keyPackage);
    const p = inspectMlsMessage(proposal);
    assert.ok(p.wireFormat === 'public_message');
    assert.deepEqual(
      [hex(p.groupId), p.epoch, p.contentType, p.sender],
      [hex(sfu.groupId), 0n, 'proposal', { type: 'external', senderIndex: 0 }],
    );
    await a.handle(proposal);
    const pending = await a.commit();
    const commit = inspectMlsMessage(pending.commit);
    assert.ok(commit.wireFormat === 'private_message');
    assert.deepEqual(
      [hex(commit.groupId), commit.epoch, commit.contentType],
      [hex(sfu.groupId), 0n, 'commit'],
    );
    const kp = await sfu.ds.inspectKeyPackage(bob.keyPackage);
    assert.deepEqual(pending.welcomeRecipients, [kp.keyPackageRef]);
    assert.deepEqual(inspectedRecipients(pending.welcome as Uint8Array), [kp.keyPackageRef]);
    assert.equal(inspectMlsMessage(bob.keyPackage).wireFormat, 'key_package');
    assert.deepEqual(sfu.sequencer.offer(proposal), { verdict: 'rejected', reason: 'not_a_commit' });
    assert.throws(
      () => inspectMlsMessage(new Uint8Array([0, 1, 0, 9])),
      (e) => e instanceof MlsError && e.code === 'invalid_message',
    );
  });

  test('inspectKeyPackage() refuses a KeyPackage whose signed content was altered', async () => {
    const sfu = await FakeSfu.open();
    const bob = await sfu.client('bob');
    const altered = new Uint8Array(bob.keyPackage);
    const at = Buffer.from(altered).indexOf(Buffer.from('user:bob'));
    assert.ok(at > 0);
    altered[at + 5] = 'r'.charCodeAt(0); // "user:rob"
    await assert.rejects(
      sfu.ds.inspectKeyPackage(altered),
      (e) => e instanceof MlsError && e.code === 'invalid_key_package',
    );
  });

  test('keyring: the previous epoch stays usable for the grace period, then its base key is zeroed and its KIDs stop resolving', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob']);
    let now = 1_000;
    const clock = { now: () => now };
    const scheduled: { at: number; run: () => void }[] = [];
    const timers = {
      setTimeout: (run: () => void, delay: number) => scheduled.push({ at: now + delay, run }),
      clearTimeout: () => undefined,
    };
    const erased: bigint[] = [];
    const ring = new EpochKeyring({ clock, timers, graceMs: 2000, onErased: (e) => erased.push(e) });
    const epoch1 = await sframeKeys(b);
    ring.install(epoch1);
    const oldKid = ring.kidFor(1n, a.ownLeafIndex);
    const oldKey = ring.baseKeyFor(oldKid)?.baseKey;
    assert.ok(oldKey && !isZero(oldKey));

    await sfu.commitBy(a); // epoch 2
    ring.install(await sframeKeys(b));
    assert.equal(ring.currentEpoch, 2n);
    const newKid = ring.sendingKid(b.ownLeafIndex);
    assert.deepEqual(ring.parseKid(newKid), {
      kid: newKid,
      epoch: 2n,
      senderIndex: b.ownLeafIndex,
      context: 0n,
    });

    now += 1999;
    assert.equal(ring.baseKeyFor(oldKid)?.epoch, 1n, 'in flight: still decryptable');
    now += 1;
    for (const t of scheduled.filter((s) => s.at <= now)) t.run();
    assert.deepEqual(erased, [1n]);
    assert.ok(isZero(oldKey), 'the old base key bytes were overwritten');
    assert.equal(ring.baseKeyFor(oldKid), undefined);
    assert.equal(ring.baseKeyFor(newKid)?.epoch, 2n);
    assert.deepEqual(ring.epochs, [2n]);
    ring.clear();
  });

  test('keyring: a KID of a leaf that is not a member of the epoch resolves to nothing', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob', 'carol']);
    const bobsLeaf = b.ownLeafIndex;
    await sfu.remove(b, a);
    const keys = await sframeKeys(a);
    const ring = new EpochKeyring();
    ring.install(keys);
    assert.equal(ring.baseKeyFor(encodeKid(a.epoch, bobsLeaf, keys.senderBits)), undefined);
    assert.throws(() => ring.kidFor(a.epoch, bobsLeaf), RangeError);
    assert.equal(ring.baseKeyFor(ring.kidFor(a.epoch, a.ownLeafIndex))?.senderIndex, a.ownLeafIndex);
    ring.clear();
  });

  test('erasure: after a commit the previous epoch secrets are zeroed; close() zeroes everything', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob']);
    await sfu.commitBy(a); // a path update: b now holds the private key of the root (node 1)
    const old = stateOf(b);
    const oldSchedule = Object.entries(old.keySchedule);
    const oldRootKey = old.privatePath.privateKeys[1];
    assert.ok(oldRootKey && !isZero(oldRootKey));
    await sfu.commitBy(a); // another path update: every epoch secret and the root key are replaced
    const kept = stateOf(b);
    for (const [name, secret] of oldSchedule) {
      if (name === 'senderDataSecret' || name === 'resumptionPsk') {
        // kept one epoch for late chat messages (RFC 9420 §9.2 retention), then zeroed
        assert.equal(secret, kept.historicalReceiverData.get(old.groupContext.epoch)?.[name]);
      } else {
        assert.ok(isZero(secret), `${name} of the previous epoch was zeroed`);
      }
    }
    assert.ok(isZero(oldRootKey), 'the replaced private key of the root was zeroed');
    await sfu.commitBy(a);
    for (const [name, secret] of oldSchedule)
      assert.ok(isZero(secret), `${name} zeroed once its retention ended`);

    const last = stateOf(b);
    const exporterSecret = last.keySchedule.exporterSecret;
    const signatureKey = last.signaturePrivateKey;
    await b.close();
    assert.ok(isZero(exporterSecret) && isZero(signatureKey));
    await assert.rejects(b.safetyCode(), (e) => e instanceof MlsError && e.code === 'closed');
  });

  test('an epoch exporter obtained before a commit refuses to export afterwards (wrong_epoch)', async () => {
    const sfu = await FakeSfu.open();
    const [a, b] = await groupOf(sfu, ['alice', 'bob']);
    const exporter = b.epochExporter();
    await sfu.commitBy(a);
    await assert.rejects(
      EpochKeys.fromExporter(exporter),
      (e) => e instanceof MlsError && e.code === 'wrong_epoch',
    );
  });

  test('a Welcome without the ratchet tree joins with the tree sent alongside', async () => {
    const sfu = await FakeSfu.open();
    const alice = await engine.createMember({
      userId: 'alice',
      deliveryServiceKey: sfu.ds.signaturePublicKey,
      authorizeMember: ({ userId, signaturePublicKey }) =>
        sfu.announced.get(userId) === hex(signaturePublicKey),
      welcomeCarriesRatchetTree: false,
    });
    await sfu.found(alice);
    const bob = await sfu.client('bob');
    await sfu.broadcast(await sfu.proposeJoin('bob', bob.keyPackage));
    const pending = await alice.commit();
    sfu.sequencer.offer(pending.commit);
    await alice.confirmCommit();
    assert.ok(pending.ratchetTree && pending.welcome);
    await assert.rejects(bob.joinFromWelcome(pending.welcome), (e) => e instanceof MlsError);
    assert.equal(bob.active, false);
    await bob.joinFromWelcome(pending.welcome, pending.ratchetTree);
    assert.equal(await bob.safetyCode(), await alice.safetyCode());
  });

  test('with publicCommits the delivery service sees the committer of a commit, and members still process it', async () => {
    const sfu = await FakeSfu.open();
    const alice = await engine.createMember({
      userId: 'alice',
      deliveryServiceKey: sfu.ds.signaturePublicKey,
      authorizeMember: ({ userId, signaturePublicKey }) =>
        sfu.announced.get(userId) === hex(signaturePublicKey),
      publicCommits: true,
    });
    await sfu.found(alice);
    const bob = await sfu.client('bob');
    await sfu.admit(bob, alice);
    const carol = await sfu.client('carol');
    await sfu.broadcast(await sfu.proposeJoin('carol', carol.keyPackage));
    const pending = await alice.commit();
    const info = inspectMlsMessage(pending.commit);
    assert.ok(info.wireFormat === 'public_message' && info.contentType === 'commit');
    assert.deepEqual(info.sender, { type: 'member', leafIndex: alice.ownLeafIndex });
    assert.equal(sfu.sequencer.offer(pending.commit).verdict, 'accepted');
    await alice.confirmCommit();
    const seen = await bob.handle(pending.commit);
    assert.ok(seen.kind === 'epoch' && seen.change.committer === alice.ownLeafIndex);
    assert.deepEqual(
      seen.change.added.map((m) => m.userId),
      ['carol'],
    );
    await carol.joinFromWelcome(pending.welcome as Uint8Array);
    assert.equal(await carol.safetyCode(), await bob.safetyCode());
  });

  test('every session has fresh keys: two clients of one user differ in signature key and KeyPackage', async () => {
    const sfu = await FakeSfu.open();
    const [first, second] = [await sfu.client('alice'), await sfu.client('alice')];
    assert.notEqual(hex(first.signaturePublicKey), hex(second.signaturePublicKey));
    assert.notEqual(hex(first.keyPackage), hex(second.keyPackage));
    const [i1, i2] = await Promise.all([
      sfu.ds.inspectKeyPackage(first.keyPackage),
      sfu.ds.inspectKeyPackage(second.keyPackage),
    ]);
    assert.equal(i1.userId, 'alice');
    assert.notEqual(i1.keyPackageRef, i2.keyPackageRef);
  });
});

describe('MLS group (post-quantum suite xwing-pq: X-Wing, AES-256-GCM, Ed25519)', () => {
  test('three members agree on keys and safety code, a removed member is out', async () => {
    const sfu = await FakeSfu.open('xwing-pq');
    const [a, b, c] = await groupOf(sfu, ['alice', 'bob', 'carol']);
    assert.equal(a.suite, 'xwing-pq');
    const keys = await Promise.all([a, b, c].map(sframeKeys));
    assert.equal(hex(keys[1].baseKey), hex(keys[0].baseKey));
    assert.equal(hex(keys[2].baseKey), hex(keys[0].baseKey));
    assert.equal(await c.safetyCode(), await a.safetyCode());
    const commit = await sfu.remove(c);
    assert.equal((await c.handle(commit)).kind, 'removed');
    assert.notEqual(hex((await sframeKeys(a)).baseKey), hex(keys[0].baseKey));
  });

  test('a member of the other suite cannot join: the delivery service refuses its KeyPackage', async () => {
    const sfu = await FakeSfu.open('xwing-pq');
    const classic = await engine.createMember({
      userId: 'alice',
      deliveryServiceKey: sfu.ds.signaturePublicKey,
      authorizeMember: () => true,
    });
    await assert.rejects(
      sfu.ds.inspectKeyPackage(classic.keyPackage),
      (e) => e instanceof MlsError && e.code === 'invalid_key_package',
    );
  });
});
