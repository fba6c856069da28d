/**
 * The `external_senders` GroupContext extension of real Conclave groups (TsMlsMember + TsMlsDeliveryService):
 * written as RFC 9420 §12.1.8.1 defines it, and still naming the SFU alone. Interop with another
 * implementation is in openmls-interop.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import type { ClientState } from 'ts-mls/clientState.js';
import { createCommit } from 'ts-mls/createCommit.js';
import { defaultCapabilities } from 'ts-mls/defaultCapabilities.js';
import { generateKeyPackage } from 'ts-mls/keyPackage.js';
import { defaultLifetime } from 'ts-mls/lifetime.js';
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls/message.js';
import { emptyPskIndex } from 'ts-mls/pskIndex.js';
import { MlsError, TsMlsEngine, type MlsMember } from '../src/mls';
import { deliveryServiceCredential, memberCredential } from '../src/mls/credentials';
import { createGroupNamingExternalSenders, type ExternalSender } from '../src/mls/external-senders';
import { loadSuite } from '../src/mls/suites';

const engine = new TsMlsEngine();
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** White-box: the member's ts-mls state. */
function stateOf(member: MlsMember): ClientState {
  const state = (member as unknown as { state?: ClientState }).state;
  assert.ok(state);
  return state;
}

/** RFC 9420 §12.1.8.1 for the SFU alone, hand-built (lengths as QUIC varints, §2.1.2; basic credential §5.3). */
function rfcExternalSenders(sfuKey: Uint8Array): Uint8Array {
  assert.equal(sfuKey.length, 97, 'a P-384 uncompressed point (suite 7)');
  // prettier-ignore
  return new Uint8Array([
    0x40, 0x7f, // external_senders<V>: 127 bytes
    0x40, 0x61, ...sfuKey, // signature_key<V>: 97 bytes
    0x00, 0x01, 0x19, ...ascii('conclave:delivery-service'), // basic credential, identity<V>: 25 bytes
  ]);
}

describe('external_senders in Conclave groups (RFC 9420 §12.1.8.1)', () => {
  test("createGroup() names the SFU as the RFC 9420 vector of one ExternalSender; the SFU's Add (sender 0) is accepted and the joiner's GroupContext carries the same bytes", async () => {
    const sfu = await engine.createDeliveryService({ suite: 'aes256' });
    const groupId = crypto.getRandomValues(new Uint8Array(16));
    const member = (userId: string): Promise<MlsMember> =>
      engine.createMember({
        userId,
        suite: 'aes256',
        deliveryServiceKey: sfu.signaturePublicKey,
        authorizeMember: ({ userId: claimed }) => claimed === 'alice' || claimed === 'bob',
      });
    const alice = await member('alice');
    const bob = await member('bob');
    await alice.createGroup(groupId);

    const expected = hex(rfcExternalSenders(sfu.signaturePublicKey));
    const [extension] = stateOf(alice).groupContext.extensions;
    assert.equal(extension.extensionType, 'external_senders');
    assert.equal(hex(extension.extensionData), expected);

    const incoming = await alice.handle(
      await sfu.proposeAdd({ groupId, epoch: 0n, keyPackage: bob.keyPackage }),
    );
    assert.equal(incoming.kind, 'proposal');
    const pending = await alice.commit();
    await alice.confirmCommit();
    assert.ok(pending.welcome);
    await bob.joinFromWelcome(pending.welcome, pending.ratchetTree);
    assert.equal(hex(stateOf(bob).groupContext.extensions[0].extensionData), expected);
    assert.equal(hex(bob.epochAuthenticator()), hex(alice.epochAuthenticator()));
  });

  test('joinFromWelcome() refuses (policy_rejected) a group whose external_senders names another key next to the SFU, in either position', async () => {
    const cs = await loadSuite('aes256');
    const sfu = await engine.createDeliveryService({ suite: 'aes256' });
    const intruder = await cs.signature.keygen();
    const asSender = (signaturePublicKey: Uint8Array): ExternalSender => ({
      signaturePublicKey,
      credential: deliveryServiceCredential(),
    });
    for (const senders of [
      [asSender(sfu.signaturePublicKey), asSender(intruder.publicKey)],
      [asSender(intruder.publicKey), asSender(sfu.signaturePublicKey)],
    ]) {
      // A hostile founder (a modified client) names a second external sender, to propose Adds as sender 1.
      const mallory = await generateKeyPackage(
        memberCredential('mallory'),
        defaultCapabilities(),
        defaultLifetime,
        [],
        cs,
      );
      const state = await createGroupNamingExternalSenders({
        groupId: crypto.getRandomValues(new Uint8Array(16)),
        keyPackage: mallory.publicPackage,
        privateKeys: mallory.privatePackage,
        externalSenders: senders,
        cs,
        config: defaultClientConfig,
      });
      const bob = await engine.createMember({
        userId: 'bob',
        suite: 'aes256',
        deliveryServiceKey: sfu.signaturePublicKey,
        authorizeMember: ({ userId }) => userId === 'mallory',
      });
      const bobKeyPackage = decodeMlsMessage(bob.keyPackage, 0)?.[0];
      assert.equal(bobKeyPackage?.wireformat, 'mls_key_package');
      const { welcome } = await createCommit(
        { state, cipherSuite: cs, pskIndex: emptyPskIndex },
        {
          extraProposals: [{ proposalType: 'add', add: { keyPackage: bobKeyPackage.keyPackage } }],
          ratchetTreeExtension: true,
        },
      );
      assert.ok(welcome);
      await assert.rejects(
        bob.joinFromWelcome(encodeMlsMessage({ wireformat: 'mls_welcome', version: 'mls10', welcome })),
        (e) => e instanceof MlsError && e.code === 'policy_rejected',
      );
      assert.equal(bob.active, false);
    }
  });
});
