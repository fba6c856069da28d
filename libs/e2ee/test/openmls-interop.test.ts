/**
 * RFC 9420 conformance checked against an implementation nobody here wrote: OpenMLS (inside Wire's core-crypto,
 * see openmls.ts), for a group that names the SFU as its external sender (§12.1.8.1).
 *
 * The Conclave side is ts-mls with Conclave's crypto provider and the engine seam of external-senders.ts (the
 * RFC `external_senders` vector, and the external-proposal path that reads it): the calls `TsMlsMember` and
 * `TsMlsDeliveryService` make. `TsMlsMember` itself is not used, because its identity policy refuses what any
 * foreign client shows: credentials other than `user:<id>` announced by the SFU (core-crypto's are
 * `<uuid>:<device>@<domain>`), and a GroupContext with more than our one extension (core-crypto's groups carry
 * `required_capabilities`, and name their external sender `wire-server`). On suite 7 (Conclave's `aes256`) the
 * SFU is the real `TsMlsDeliveryService`; suites 2 and 1 are not Conclave suites, so there a stand-in signs
 * with the same `signExternalProposal` the delivery service uses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultClientConfig, type ClientConfig } from 'ts-mls/clientConfig.js';
import { joinGroup, type ClientState } from 'ts-mls/clientState.js';
import { createCommit } from 'ts-mls/createCommit.js';
import type { CiphersuiteName } from 'ts-mls/crypto/ciphersuite.js';
import { defaultCapabilities } from 'ts-mls/defaultCapabilities.js';
import {
  decodeKeyPackage,
  encodeKeyPackage,
  generateKeyPackage,
  type KeyPackage,
  type PrivateKeyPackage,
} from 'ts-mls/keyPackage.js';
import { mlsExporter } from 'ts-mls/keySchedule.js';
import { defaultLifetime } from 'ts-mls/lifetime.js';
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls/message.js';
import { processMessage } from 'ts-mls/processMessages.js';
import type { Proposal } from 'ts-mls/proposal.js';
import { emptyPskIndex } from 'ts-mls/pskIndex.js';
import { acceptAll } from 'ts-mls/incomingMessageAction.js';
import { TsMlsDeliveryService } from '../src/mls';
import { deliveryServiceCredential, memberCredential } from '../src/mls/credentials';
import {
  createGroupNamingExternalSenders,
  externalSendersOf,
  processExternalProposal,
  signExternalProposal,
} from '../src/mls/external-senders';
import { loadCiphersuite } from '../src/mls/suites';
import type { CiphersuiteImpl } from '../src/mls/ts-mls-crypto';
import { OPENMLS_SUITES, OpenMlsClient, type CommitBundle, type OpenMlsSuiteName } from './openmls';

const EXPORT_LENGTH = 32;
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The SFU's external-sender role: its key, and external Add/Remove proposals signed as sender 0. */
interface ExternalSenderRole {
  readonly signaturePublicKey: Uint8Array;
  proposeAdd(groupId: Uint8Array, epoch: bigint, keyPackage: KeyPackage): Promise<Uint8Array>;
  proposeRemove(groupId: Uint8Array, epoch: bigint, leafIndex: number): Promise<Uint8Array>;
}

async function externalSenderFor(suite: OpenMlsSuiteName): Promise<ExternalSenderRole> {
  if (suite === 'MLS_256_DHKEMP384_AES256GCM_SHA384_P384') {
    const ds = await TsMlsDeliveryService.create({ suite: 'aes256' });
    return {
      signaturePublicKey: ds.signaturePublicKey,
      proposeAdd: (groupId, epoch, keyPackage) =>
        ds.proposeAdd({ groupId, epoch, keyPackage: keyPackageMessage(keyPackage) }),
      proposeRemove: (groupId, epoch, leafIndex) => ds.proposeRemove({ groupId, epoch, leafIndex }),
    };
  }
  const cs = await loadCiphersuite(suite);
  const { publicKey, signKey } = await cs.signature.keygen();
  const sign = async (groupId: Uint8Array, epoch: bigint, proposal: Proposal): Promise<Uint8Array> =>
    encodeMlsMessage(
      await signExternalProposal({
        groupId,
        epoch,
        senderIndex: 0,
        proposal,
        signaturePrivateKey: signKey,
        cs,
      }),
    );
  return {
    signaturePublicKey: publicKey,
    proposeAdd: (groupId, epoch, keyPackage) =>
      sign(groupId, epoch, { proposalType: 'add', add: { keyPackage } }),
    proposeRemove: (groupId, epoch, leafIndex) =>
      sign(groupId, epoch, { proposalType: 'remove', remove: { removed: leafIndex } }),
  };
}

function keyPackageMessage(keyPackage: KeyPackage): Uint8Array {
  return encodeMlsMessage({ wireformat: 'mls_key_package', version: 'mls10', keyPackage });
}

/** A ts-mls client as Conclave configures it (crypto provider, credential form, external-senders seam). */
class TsMlsPeer {
  private current: ClientState | undefined;
  private readonly config: ClientConfig = { ...defaultClientConfig };

  private constructor(
    private readonly cs: CiphersuiteImpl,
    readonly keyPackage: KeyPackage,
    private readonly privateKeys: PrivateKeyPackage,
  ) {}

  static async create(userId: string, suite: CiphersuiteName): Promise<TsMlsPeer> {
    const cs = await loadCiphersuite(suite);
    const { publicPackage, privatePackage } = await generateKeyPackage(
      memberCredential(userId),
      defaultCapabilities(),
      defaultLifetime,
      [],
      cs,
    );
    return new TsMlsPeer(cs, publicPackage, privatePackage);
  }

  get state(): ClientState {
    assert.ok(this.current, 'in a group');
    return this.current;
  }

  get epoch(): bigint {
    return this.state.groupContext.epoch;
  }

  get leafIndex(): number {
    return this.state.privatePath.leafIndex;
  }

  async found(groupId: Uint8Array, externalSenderKey: Uint8Array): Promise<void> {
    this.current = await createGroupNamingExternalSenders({
      groupId,
      keyPackage: this.keyPackage,
      privateKeys: this.privateKeys,
      externalSenders: [{ signaturePublicKey: externalSenderKey, credential: deliveryServiceCredential() }],
      cs: this.cs,
      config: this.config,
    });
  }

  async joinFromWelcome(bytes: Uint8Array): Promise<void> {
    const message = decodeMlsMessage(bytes, 0)?.[0];
    assert.equal(message?.wireformat, 'mls_welcome');
    this.current = await joinGroup(
      message.welcome,
      this.keyPackage,
      this.privateKeys,
      emptyPskIndex,
      this.cs,
      undefined,
      undefined,
      this.config,
    );
  }

  /** Processes a handshake message: an external proposal through the seam, the rest through ts-mls. */
  async handle(bytes: Uint8Array): Promise<void> {
    const message = decodeMlsMessage(bytes, 0)?.[0];
    assert.ok(message);
    if (
      message.wireformat === 'mls_public_message' &&
      message.publicMessage.content.sender.senderType === 'external'
    ) {
      const result = await processExternalProposal(this.state, message.publicMessage, this.cs, acceptAll);
      this.current = result.newState;
      return;
    }
    assert.ok(message.wireformat === 'mls_public_message' || message.wireformat === 'mls_private_message');
    const result = await processMessage(message, this.state, emptyPskIndex, acceptAll, this.cs);
    assert.equal(result.kind, 'newState');
    this.current = result.newState;
  }

  /**
   * Commits the pending proposals plus `add` (by value); the Welcome carries the ratchet tree. As PublicMessage
   * (Conclave's `publicCommits`): core-crypto's groups take handshake messages in the clear only (Wire's
   * delivery service reads them), a wire-format policy RFC 9420 §6 leaves to the application.
   */
  async commit(add: readonly KeyPackage[] = []): Promise<{ commit: Uint8Array; welcome?: Uint8Array }> {
    const result = await createCommit(
      { state: this.state, cipherSuite: this.cs, pskIndex: emptyPskIndex },
      {
        extraProposals: add.map((keyPackage) => ({ proposalType: 'add', add: { keyPackage } })),
        ratchetTreeExtension: true,
        wireAsPublicMessage: true,
      },
    );
    this.current = result.newState;
    const welcome = result.welcome;
    return {
      commit: encodeMlsMessage(result.commit),
      ...(welcome && { welcome: encodeMlsMessage({ wireformat: 'mls_welcome', version: 'mls10', welcome }) }),
    };
  }

  exportSecret(length: number): Promise<Uint8Array> {
    return mlsExporter(this.state.keySchedule.exporterSecret, 'exporter', new Uint8Array(0), length, this.cs);
  }
}

function welcomeOf(bundle: CommitBundle): Uint8Array {
  assert.ok(bundle.welcome, 'the commit adds someone: it comes with a Welcome');
  return bundle.welcome.serialize();
}

/** Every party is at `epoch` and exports the same secret. */
async function assertSameEpoch(
  epoch: bigint,
  openmls: readonly OpenMlsClient[],
  tsmls: readonly TsMlsPeer[],
): Promise<void> {
  const secrets: string[] = [];
  for (const o of openmls) {
    assert.equal(await o.epoch(), epoch, 'OpenMLS epoch');
    secrets.push(hex(await o.exportSecret(EXPORT_LENGTH)));
  }
  for (const t of tsmls) {
    assert.equal(t.epoch, epoch, 'ts-mls epoch');
    secrets.push(hex(await t.exportSecret(EXPORT_LENGTH)));
  }
  assert.equal(new Set(secrets).size, 1, `one exporter secret at epoch ${epoch}`);
}

const groupIdFor = (): Uint8Array => crypto.getRandomValues(new Uint8Array(16));

for (const suite of Object.keys(OPENMLS_SUITES) as OpenMlsSuiteName[]) {
  describe(`OpenMLS interop, suite ${OPENMLS_SUITES[suite].codePoint} (${suite})`, () => {
    test('a ts-mls group naming the SFU in external_senders: OpenMLS joins from its Welcome, reads the SFU as its external sender, exports the same secrets, and commits go both ways', async () => {
      const sfu = await externalSenderFor(suite);
      const groupId = groupIdFor();
      const alice = await TsMlsPeer.create('alice', suite);
      const olaf = await OpenMlsClient.create(suite, 1n);
      await alice.found(groupId, sfu.signaturePublicKey);

      // Welcome ts-mls → OpenMLS.
      const olafKeyPackage = decodeKeyPackage(await olaf.keyPackage(), 0)?.[0];
      assert.ok(olafKeyPackage);
      const added = await alice.commit([olafKeyPackage]);
      assert.ok(added.welcome);
      await olaf.joinFromWelcome(added.welcome);
      assert.equal(hex(await olaf.externalSenderKey()), hex(sfu.signaturePublicKey));
      await assertSameEpoch(1n, [olaf], [alice]);

      // Commits OpenMLS → ts-mls, then ts-mls → OpenMLS.
      await alice.handle((await olaf.update()).commit);
      await assertSameEpoch(2n, [olaf], [alice]);
      await olaf.receive((await alice.commit()).commit);
      await assertSameEpoch(3n, [olaf], [alice]);
    });

    test("the SFU as external sender 0 in a ts-mls group: OpenMLS adds a ts-mls member (Welcome OpenMLS → ts-mls), both accept the SFU's Remove of it, OpenMLS commits the Remove and ts-mls follows", async () => {
      const sfu = await externalSenderFor(suite);
      const groupId = groupIdFor();
      const alice = await TsMlsPeer.create('alice', suite);
      const bob = await TsMlsPeer.create('bob', suite);
      const olaf = await OpenMlsClient.create(suite, 2n);
      await alice.found(groupId, sfu.signaturePublicKey);
      const olafKeyPackage = decodeKeyPackage(await olaf.keyPackage(), 0)?.[0];
      assert.ok(olafKeyPackage);
      const added = await alice.commit([olafKeyPackage]);
      assert.ok(added.welcome);
      await olaf.joinFromWelcome(added.welcome);

      const addsBob = await olaf.addMembers([encodeKeyPackage(bob.keyPackage)]);
      await alice.handle(addsBob.commit);
      await bob.joinFromWelcome(welcomeOf(addsBob));
      const bobSees = externalSendersOf(bob.state.groupContext.extensions);
      assert.equal(bobSees?.length, 1);
      assert.equal(hex(bobSees[0].signaturePublicKey), hex(sfu.signaturePublicKey));
      await assertSameEpoch(2n, [olaf], [alice, bob]);

      const remove = await sfu.proposeRemove(groupId, 2n, bob.leafIndex);
      await alice.handle(remove);
      await bob.handle(remove);
      assert.equal((await olaf.receive(remove)).tag, 'Proposal');
      const removal = await olaf.commitPending();
      await alice.handle(removal.commit);
      await assertSameEpoch(3n, [olaf], [alice]);
    });

    test("an OpenMLS group naming the SFU as external sender: ts-mls joins from its Welcome and reads the SFU as sender 0, exports the same secrets, commits go both ways, and the SFU's Remove is accepted by both and committed by ts-mls", async () => {
      const sfu = await externalSenderFor(suite);
      const groupId = groupIdFor();
      const olaf = await OpenMlsClient.create(suite, 3n);
      const alice = await TsMlsPeer.create('alice', suite);
      const bob = await TsMlsPeer.create('bob', suite);
      await olaf.createGroup(groupId, sfu.signaturePublicKey);

      // Welcome OpenMLS → ts-mls.
      await alice.joinFromWelcome(welcomeOf(await olaf.addMembers([encodeKeyPackage(alice.keyPackage)])));
      const senders = externalSendersOf(alice.state.groupContext.extensions);
      assert.equal(senders?.length, 1, 'one external sender, decoded from the RFC 9420 vector');
      assert.equal(hex(senders[0].signaturePublicKey), hex(sfu.signaturePublicKey));
      await assertSameEpoch(1n, [olaf], [alice]);

      // Commits ts-mls → OpenMLS, then OpenMLS → ts-mls.
      await olaf.receive((await alice.commit()).commit);
      await assertSameEpoch(2n, [olaf], [alice]);
      await alice.handle((await olaf.update()).commit);
      await assertSameEpoch(3n, [olaf], [alice]);

      // ts-mls adds bob (its Welcome), then the SFU removes him; ts-mls commits, OpenMLS follows.
      const addsBob = await alice.commit([bob.keyPackage]);
      await olaf.receive(addsBob.commit);
      assert.ok(addsBob.welcome);
      await bob.joinFromWelcome(addsBob.welcome);
      await assertSameEpoch(4n, [olaf], [alice, bob]);
      const remove = await sfu.proposeRemove(groupId, 4n, bob.leafIndex);
      await alice.handle(remove);
      assert.equal((await olaf.receive(remove)).tag, 'Proposal');
      await olaf.receive((await alice.commit()).commit);
      await assertSameEpoch(5n, [olaf], [alice]);
    });
  });
}
