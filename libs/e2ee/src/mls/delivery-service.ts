/**
 * The SFU's side of MLS over ts-mls: delivery service (RFC 9420 §3) and external sender (§12.1.8). It holds one
 * signature key pair (the external sender's) and no group secret: it cannot read or forge group messages, only
 * propose Add and Remove, which members still authorize and commit themselves.
 */
import { makeKeyPackageRef, verifyKeyPackage, type KeyPackage } from 'ts-mls/keyPackage.js';
import { verifyLeafNodeSignatureKeyPackage } from 'ts-mls/leafNode.js';
import { encodeMlsMessage } from 'ts-mls/message.js';
import type { Proposal } from 'ts-mls/proposal.js';
import { bytesEqual, copyBytes, toHex } from './bytes';
import { verifyCommit, type CommitAuthContent } from './commit-auth';
import { userIdOf } from './credentials';
import type { ExternalProposalRequest, KeyPackageInfo, MlsDeliveryService } from './engine';
import { MlsError } from './errors';
import { signExternalProposal } from './external-senders';
import { DELIVERY_SERVICE_SENDER_INDEX } from './policy';
import { DEFAULT_MLS_SUITE, loadSuite, mlsSuiteOf, type MlsSuite } from './suites';
import type { CiphersuiteImpl } from './ts-mls-crypto';
import { decodeMessage } from './wire';

/** RFC 9420 §12.1.3: `uint32 removed`. */
const MAX_LEAF_INDEX = 0xffffffff;

export class TsMlsDeliveryService implements MlsDeliveryService {
  private closed = false;

  private constructor(
    readonly suite: MlsSuite,
    private readonly cs: CiphersuiteImpl,
    private readonly publicKey: Uint8Array,
    private readonly privateKey: Uint8Array,
  ) {}

  /** A delivery service with a fresh external-sender signature key for `suite` (default `'aes256'`). */
  static async create(options: { readonly suite?: MlsSuite } = {}): Promise<TsMlsDeliveryService> {
    const suite = options.suite ?? DEFAULT_MLS_SUITE;
    const cs = await loadSuite(suite);
    const { publicKey, signKey } = await cs.signature.keygen();
    return new TsMlsDeliveryService(suite, cs, publicKey, signKey);
  }

  get signaturePublicKey(): Uint8Array {
    return copyBytes(this.publicKey);
  }

  async inspectKeyPackage(bytes: Uint8Array): Promise<KeyPackageInfo> {
    const keyPackage = this.decodeKeyPackage(bytes);
    if (keyPackage.cipherSuite !== this.cs.name) {
      throw new MlsError(
        'invalid_key_package',
        `KeyPackage for ${keyPackage.cipherSuite}, the room uses ${this.cs.name}`,
      );
    }
    const leaf = keyPackage.leafNode;
    // RFC 9420 §10.1: verify the KeyPackage signature and the leaf node's, and that init_key differs from encryption_key.
    const signed =
      (await verifyKeyPackage(keyPackage, this.cs.signature).catch(() => false)) &&
      (await verifyLeafNodeSignatureKeyPackage(leaf, this.cs.signature).catch(() => false));
    if (!signed) throw new MlsError('invalid_key_package', 'KeyPackage signature does not verify');
    if (bytesEqual(keyPackage.initKey, leaf.hpkePublicKey)) {
      throw new MlsError('invalid_key_package', 'init_key equals the leaf encryption key (RFC 9420 §10.1)');
    }
    const userId = userIdOf(leaf.credential);
    if (userId === undefined)
      throw new MlsError('credential_rejected', 'not a basic credential naming a well-formed user id');
    const suite = mlsSuiteOf(keyPackage.cipherSuite);
    if (suite === undefined)
      throw new MlsError('unsupported_suite', `${keyPackage.cipherSuite} is not a Conclave suite`);
    return {
      userId,
      signaturePublicKey: copyBytes(leaf.signaturePublicKey),
      keyPackageRef: toHex(await makeKeyPackageRef(keyPackage, this.cs.hash)),
      suite,
    };
  }

  async proposeAdd(
    request: ExternalProposalRequest & { readonly keyPackage: Uint8Array },
  ): Promise<Uint8Array> {
    await this.inspectKeyPackage(request.keyPackage);
    const keyPackage = this.decodeKeyPackage(request.keyPackage);
    return this.propose(request, { proposalType: 'add', add: { keyPackage } });
  }

  async proposeRemove(
    request: ExternalProposalRequest & { readonly leafIndex: number },
  ): Promise<Uint8Array> {
    if (!Number.isInteger(request.leafIndex) || request.leafIndex < 0 || request.leafIndex > MAX_LEAF_INDEX) {
      throw new MlsError('invalid_argument', `leaf index ${request.leafIndex} out of range`);
    }
    return this.propose(request, { proposalType: 'remove', remove: { removed: request.leafIndex } });
  }

  verifyCommit(
    content: CommitAuthContent,
    signaturePublicKey: Uint8Array,
    signature: Uint8Array,
  ): Promise<boolean> {
    return verifyCommit(content, signaturePublicKey, signature, this.cs);
  }

  close(): void {
    this.privateKey.fill(0);
    this.closed = true;
  }

  private decodeKeyPackage(bytes: Uint8Array): KeyPackage {
    const message = decodeMessage(bytes);
    if (message.wireformat !== 'mls_key_package')
      throw new MlsError('invalid_key_package', 'not a KeyPackage');
    return message.keyPackage;
  }

  /**
   * Signs `proposal` as external sender 0 in a PublicMessage (RFC 9420 §12.1.8: external proposals are always
   * public). Index 0 is where every Conclave client names the delivery service, alone (policy.ts).
   */
  private async propose(request: ExternalProposalRequest, proposal: Proposal): Promise<Uint8Array> {
    if (this.closed) throw new MlsError('closed', 'the delivery service was closed');
    if (request.groupId.length === 0) throw new MlsError('invalid_argument', 'groupId is empty');
    if (request.epoch < 0n) throw new MlsError('invalid_argument', 'epoch is negative');
    const message = await signExternalProposal({
      groupId: copyBytes(request.groupId),
      epoch: request.epoch,
      senderIndex: DELIVERY_SERVICE_SENDER_INDEX,
      proposal,
      signaturePrivateKey: this.privateKey,
      cs: this.cs,
    });
    return encodeMlsMessage(message);
  }
}
