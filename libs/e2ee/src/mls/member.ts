/**
 * A client's MLS membership (RFC 9420) over ts-mls: one group, one session, fresh keys.
 *
 * Membership policy (RFC 9420 §12.2 lets the application add rules):
 * - only the delivery service proposes, as external sender 0 (§12.1.8), and only Add and Remove;
 * - a commit may cover only those proposals, by reference: a member cannot add or remove anyone on its own;
 * - every credential goes through `conclaveAuthenticationService` (the app's `authorizeMember` hook; in the
 *   product, room control's signed statement, checked with `MemberStatementVerifier`);
 * - the group's only context extension is `external_senders`, naming the key this client was given.
 *
 * After each transition the superseded secrets are zeroed (see erasure.ts for what JavaScript cannot wipe).
 */
import { defaultClientConfig, type ClientConfig } from 'ts-mls/clientConfig.js';
import { joinGroup, type ClientState } from 'ts-mls/clientState.js';
import { createCommit, type CreateCommitResult } from 'ts-mls/createCommit.js';
import { createApplicationMessage } from 'ts-mls/createMessage.js';
import { defaultCapabilities } from 'ts-mls/defaultCapabilities.js';
import type { Credential } from 'ts-mls/credential.js';
import { generateKeyPackageWithKey, type KeyPackage, type PrivateKeyPackage } from 'ts-mls/keyPackage.js';
import { mlsExporter } from 'ts-mls/keySchedule.js';
import { encodeMlsMessage, type MLSMessage } from 'ts-mls/message.js';
import {
  CodecError,
  CryptoError,
  CryptoVerificationError,
  UsageError,
  ValidationError,
} from 'ts-mls/mlsError.js';
import { decryptSenderData, type PrivateMessage } from 'ts-mls/privateMessage.js';
import { processPrivateMessage, processPublicMessage } from 'ts-mls/processMessages.js';
import type { PublicMessage } from 'ts-mls/publicMessage.js';
import { emptyPskIndex } from 'ts-mls/pskIndex.js';
import { encodeRatchetTree } from 'ts-mls/ratchetTree.js';
import { bytesEqual, copyBytes, toHex } from './bytes';
import { signCommit, type CommitAuthContent } from './commit-auth';
import {
  conclaveAuthenticationService,
  deliveryServiceCredential,
  memberCredential,
  statementCredential,
  type ConclaveAuthenticationService,
} from './credentials';
import type {
  EpochChange,
  EpochExporter,
  MemberInfo,
  MlsIncoming,
  MlsMember,
  MlsMemberOptions,
  PendingCommit,
  PendingProposal,
} from './engine';
import { eraseAll, eraseSuperseded, eraseUnshared, wipe } from './erasure';
import { MlsError, type MlsErrorCode } from './errors';
import { createGroupNamingExternalSenders, processExternalProposal } from './external-senders';
import { decodeTree, epochChange, membersOf, summarize } from './group-view';
import { readMemberStatement } from './member-statement';
import { DELIVERY_SERVICE_SENDER_INDEX, hasOnlyOurDeliveryService, membershipPolicy } from './policy';
import { safetyCodeFromEpochAuthenticator } from './safety-code';
import { DEFAULT_MLS_SUITE, loadSuite, type MlsSuite } from './suites';
import type { CiphersuiteImpl } from './ts-mls-crypto';
import { decodeMessage } from './wire';

/** KeyPackage validity window (RFC 9420 §7.2 `lifetime`): keys are per session; one hour of clock skew. */
const KEY_PACKAGE_NOT_BEFORE_SKEW_S = 3600;
const KEY_PACKAGE_LIFETIME_S = 24 * 3600;

/**
 * Previous epochs whose receive keys are kept for late chat messages (ts-mls `retainKeysForEpochs`): one, the
 * epoch just left. Media keys have their own, shorter, grace period in the keyring.
 */
const RETAINED_EPOCHS = 1;

interface Pending {
  /** The state the commit was created from. */
  readonly base: ClientState;
  readonly result: CreateCommitResult;
  readonly commitBytes: Uint8Array;
}

export class TsMlsMember implements MlsMember {
  private state: ClientState | undefined;
  private pending: Pending | undefined;
  private status: 'new' | 'active' | 'removed' | 'closed' = 'new';
  private lastGroupId = new Uint8Array(0);
  private lastEpoch = 0n;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly config: ClientConfig;

  private constructor(
    readonly userId: string,
    readonly suite: MlsSuite,
    readonly keyPackage: Uint8Array,
    private readonly cs: CiphersuiteImpl,
    private readonly ownKeyPackage: KeyPackage,
    private readonly privateKeys: PrivateKeyPackage,
    private readonly auth: ConclaveAuthenticationService,
    private readonly options: MlsMemberOptions,
  ) {
    this.config = {
      ...defaultClientConfig,
      keyRetentionConfig: { ...defaultClientConfig.keyRetentionConfig, retainKeysForEpochs: RETAINED_EPOCHS },
      authService: auth,
    };
  }

  /** A member with a fresh signature key pair and KeyPackage (nothing is reused across sessions). */
  static async create(options: MlsMemberOptions): Promise<TsMlsMember> {
    const suite = options.suite ?? DEFAULT_MLS_SUITE;
    const cs = await loadSuite(suite);
    if (options.deliveryServiceKey.length === 0)
      throw new MlsError('invalid_argument', 'deliveryServiceKey is empty');
    const nowS = BigInt(Math.floor(Date.now() / 1000));
    const lifetime = {
      notBefore: nowS - BigInt(KEY_PACKAGE_NOT_BEFORE_SKEW_S),
      notAfter: nowS + BigInt(KEY_PACKAGE_LIFETIME_S),
    };
    const signatureKeyPair = await cs.signature.keygen();
    const credential = await ownCredential(options, signatureKeyPair.publicKey);
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      credential,
      defaultCapabilities(),
      lifetime,
      [],
      signatureKeyPair,
      cs,
    );
    const auth = conclaveAuthenticationService({
      deliveryServiceKey: copyBytes(options.deliveryServiceKey),
      self: {
        credential: credential.identity,
        signaturePublicKey: publicPackage.leafNode.signaturePublicKey,
      },
      authorizeMember: options.authorizeMember,
    });
    const encoded = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_key_package',
      keyPackage: publicPackage,
    });
    return new TsMlsMember(options.userId, suite, encoded, cs, publicPackage, privatePackage, auth, options);
  }

  get signaturePublicKey(): Uint8Array {
    return copyBytes(this.ownKeyPackage.leafNode.signaturePublicKey);
  }

  get active(): boolean {
    return this.status === 'active';
  }

  get groupId(): Uint8Array {
    return copyBytes(this.state?.groupContext.groupId ?? this.lastGroupId);
  }

  get epoch(): bigint {
    return this.state?.groupContext.epoch ?? this.lastEpoch;
  }

  get ownLeafIndex(): number {
    return this.current().privatePath.leafIndex;
  }

  members(): MemberInfo[] {
    return membersOf(this.current().ratchetTree);
  }

  pendingProposals(): PendingProposal[] {
    const state = this.current();
    return Object.values(state.unappliedProposals).flatMap(({ proposal }) => {
      const summary = summarize(proposal, state.ratchetTree);
      return summary === undefined ? [] : [summary];
    });
  }

  createGroup(groupId: Uint8Array): Promise<void> {
    return this.run(async () => {
      this.assertStatus('new');
      if (groupId.length === 0) throw new MlsError('invalid_argument', 'groupId is empty');
      const deliveryService = {
        signaturePublicKey: copyBytes(this.options.deliveryServiceKey),
        credential: deliveryServiceCredential(),
      };
      const state = await this.library('invalid_argument', () =>
        createGroupNamingExternalSenders({
          groupId: copyBytes(groupId),
          keyPackage: this.ownKeyPackage,
          privateKeys: this.privateKeys,
          externalSenders: [deliveryService],
          cs: this.cs,
          config: this.config,
        }),
      );
      this.enter(state);
    });
  }

  joinFromWelcome(welcome: Uint8Array, ratchetTree?: Uint8Array): Promise<void> {
    return this.run(async () => {
      this.assertStatus('new');
      const message = decodeMessage(welcome);
      if (message.wireformat !== 'mls_welcome') throw new MlsError('invalid_message', 'not a Welcome');
      if (message.welcome.cipherSuite !== this.cs.name) {
        throw new MlsError(
          'invalid_message',
          `Welcome for ${message.welcome.cipherSuite}, this member runs ${this.cs.name}`,
        );
      }
      const tree = ratchetTree === undefined ? undefined : decodeTree(ratchetTree);
      const state = await this.library('commit_rejected', () =>
        joinGroup(
          message.welcome,
          this.ownKeyPackage,
          this.privateKeys,
          emptyPskIndex,
          this.cs,
          tree,
          undefined,
          this.config,
        ),
      );
      this.assertDeliveryServiceIsSoleExtension(state);
      this.enter(state);
    });
  }

  handle(bytes: Uint8Array): Promise<MlsIncoming> {
    return this.run(async () => {
      const message = decodeMessage(bytes);
      if (message.wireformat !== 'mls_private_message' && message.wireformat !== 'mls_public_message') {
        throw new MlsError('invalid_message', `handle() takes group messages, not ${message.wireformat}`);
      }
      const frame =
        message.wireformat === 'mls_private_message' ? message.privateMessage : message.publicMessage.content;
      if (this.status === 'removed')
        return { kind: 'removed', reason: 'removed-by-commit', epoch: this.lastEpoch };
      const state = this.current();
      if (!bytesEqual(frame.groupId, state.groupContext.groupId))
        throw new MlsError('wrong_group', 'message for another group');
      const epoch = state.groupContext.epoch;

      if (frame.contentType === 'commit') {
        // The epoch and content type of a PrivateMessage are in its clear, unauthenticated header (RFC 9420
        // §6.3): a commit we cannot process changes nothing here; the caller decides whether to rejoin.
        if (frame.epoch !== epoch)
          throw new MlsError('wrong_epoch', `commit for epoch ${frame.epoch}, group is at ${epoch}`);
        if (this.pending !== undefined) {
          if (bytesEqual(bytes, this.pending.commitBytes))
            return { kind: 'epoch', change: this.applyPending() };
          this.dropPending(); // another member's commit won this epoch
        }
        return this.processCommit(message);
      }
      if (frame.contentType === 'proposal') {
        if (frame.epoch !== epoch)
          throw new MlsError('wrong_epoch', `proposal for epoch ${frame.epoch}, group is at ${epoch}`);
        if (message.wireformat !== 'mls_public_message') {
          throw new MlsError(
            'policy_rejected',
            'members do not send proposals here; only the delivery service does',
          );
        }
        return this.processExternalProposal(message.publicMessage);
      }
      if (message.wireformat !== 'mls_private_message') {
        throw new MlsError('invalid_message', 'application data must be a PrivateMessage (RFC 9420 §6.2)');
      }
      if (frame.epoch > epoch)
        throw new MlsError('wrong_epoch', `message for epoch ${frame.epoch}, group is at ${epoch}`);
      return this.processApplication(message.privateMessage);
    });
  }

  handleApplication(bytes: Uint8Array): Promise<Extract<MlsIncoming, { kind: 'application' }>> {
    return this.run(async () => {
      const message = decodeMessage(bytes);
      if (
        message.wireformat !== 'mls_private_message' ||
        message.privateMessage.contentType !== 'application'
      )
        throw new MlsError('invalid_message', 'the chat path takes application PrivateMessages only');
      const state = this.current();
      if (!bytesEqual(message.privateMessage.groupId, state.groupContext.groupId))
        throw new MlsError('wrong_group', 'message for another group');
      if (message.privateMessage.epoch > state.groupContext.epoch) {
        throw new MlsError(
          'wrong_epoch',
          `message for epoch ${message.privateMessage.epoch}, group is at ${state.groupContext.epoch}`,
        );
      }
      return this.processApplication(message.privateMessage);
    });
  }

  commit(): Promise<PendingCommit> {
    return this.run(async () => {
      const state = this.current();
      if (this.pending !== undefined)
        throw new MlsError('commit_pending', 'a commit of ours already waits for the delivery service');
      const carriesTree = this.options.welcomeCarriesRatchetTree ?? true;
      const result = await this.library('commit_rejected', () =>
        createCommit(
          { state, cipherSuite: this.cs, pskIndex: emptyPskIndex },
          { wireAsPublicMessage: this.options.publicCommits ?? false, ratchetTreeExtension: carriesTree },
        ),
      );
      const commitBytes = encodeMlsMessage(result.commit);
      const welcome = result.welcome;
      const welcomeBytes =
        welcome && encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome });
      // createCommit applies every proposal received in this epoch (RFC 9420 §12.4).
      const proposals = Object.values(state.unappliedProposals).flatMap(({ proposal }) => {
        const summary = summarize(proposal, state.ratchetTree);
        return summary === undefined ? [] : [summary];
      });
      const covers = {
        added: proposals.flatMap((p) => (p.type === 'add' ? [p.signaturePublicKey] : [])),
        removed: proposals.flatMap((p) => (p.type === 'remove' ? [p.leafIndex] : [])),
      };
      const authentication = await signCommit(
        {
          groupId: state.groupContext.groupId,
          epoch: state.groupContext.epoch,
          commit: commitBytes,
          welcome: welcomeBytes,
          ...covers,
        },
        state.signaturePrivateKey,
        this.cs,
      );
      const view: PendingCommit = {
        epoch: state.groupContext.epoch,
        commit: copyBytes(commitBytes),
        welcome: welcomeBytes,
        welcomeRecipients: welcome?.secrets.map((s) => toHex(s.newMember)) ?? [],
        ratchetTree:
          welcome !== undefined && !carriesTree ? encodeRatchetTree(result.newState.ratchetTree) : undefined,
        covers,
        authentication,
      };
      this.pending = { base: state, result, commitBytes };
      return view;
    });
  }

  confirmCommit(): Promise<EpochChange> {
    return this.run(async () => {
      this.current();
      return this.applyPending();
    });
  }

  discardCommit(): Promise<void> {
    return this.run(async () => {
      this.current();
      if (this.pending === undefined) throw new MlsError('no_pending_commit', 'no commit of ours is pending');
      this.dropPending();
    });
  }

  authenticateCommit(content: CommitAuthContent): Promise<Uint8Array> {
    return this.run(async () => signCommit(content, this.current().signaturePrivateKey, this.cs));
  }

  encrypt(data: Uint8Array): Promise<Uint8Array> {
    return this.run(async () => {
      const state = this.current();
      if (this.pending !== undefined)
        throw new MlsError('commit_pending', 'wait for the delivery service to settle our commit');
      if (Object.keys(state.unappliedProposals).length > 0) {
        throw new MlsError(
          'proposals_pending',
          'RFC 9420 §12.4: commit the pending proposals before sending application data',
        );
      }
      const result = await this.library('invalid_argument', () =>
        createApplicationMessage(state, data, this.cs),
      );
      this.replace(result.newState, result.consumed);
      return encodeMlsMessage({
        version: 'mls10',
        wireformat: 'mls_private_message',
        privateMessage: result.privateMessage,
      });
    });
  }

  epochAuthenticator(): Uint8Array {
    return copyBytes(this.current().keySchedule.epochAuthenticator);
  }

  safetyCode(): Promise<string> {
    return this.run(() => safetyCodeFromEpochAuthenticator(this.current().keySchedule.epochAuthenticator));
  }

  exportSecret(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    return this.run(() => this.exportNow(label, context, length));
  }

  epochExporter(): EpochExporter {
    const epoch = this.epoch;
    const memberIndices = this.members().map((m) => m.leafIndex);
    return {
      epoch,
      memberIndices,
      exportSecret: (label, context, length) =>
        this.run(() => {
          if (this.status !== 'active' || this.epoch !== epoch) {
            throw new MlsError('wrong_epoch', `epoch ${epoch} is over for this member`);
          }
          return this.exportNow(label, context, length);
        }),
    };
  }

  close(): Promise<void> {
    return this.run(async () => {
      this.eraseEverything();
      this.status = 'closed';
    });
  }

  // --- internals -------------------------------------------------------------------------------------------

  /** Runs `task` after every earlier call settled: states are never used by two operations at once. */
  private run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private current(): ClientState {
    if (this.status === 'closed') throw new MlsError('closed', 'this member was closed');
    if (this.status === 'removed') throw new MlsError('removed', 'this member was removed from the group');
    if (this.state === undefined) throw new MlsError('not_joined', 'create or join a group first');
    return this.state;
  }

  private assertStatus(expected: 'new'): void {
    if (this.status !== expected) {
      throw new MlsError(
        this.status === 'closed' ? 'closed' : 'invalid_argument',
        `member is ${this.status}, expected ${expected}`,
      );
    }
  }

  private enter(state: ClientState): void {
    this.state = state;
    this.status = 'active';
    // RFC 9420 §16.8: a KeyPackage is used once; its init private key has no further use.
    wipe(this.privateKeys.initPrivateKey);
  }

  private replace(next: ClientState, consumed: readonly Uint8Array[]): void {
    const previous = this.current();
    if (previous !== next) eraseSuperseded(previous, next, consumed);
    else wipe(...consumed);
    this.state = next;
  }

  private async exportNow(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    const state = this.current();
    if (!Number.isSafeInteger(length) || length <= 0 || length > 0xffff) {
      throw new MlsError('invalid_argument', 'exporter length must be in [1, 65535] (RFC 9420 §8.5, uint16)');
    }
    return mlsExporter(state.keySchedule.exporterSecret, label, context, length, this.cs);
  }

  private async processExternalProposal(message: PublicMessage): Promise<MlsIncoming> {
    const state = this.current();
    const { content } = message;
    if (content.contentType !== 'proposal') throw new MlsError('invalid_message', 'not a proposal');
    const sender = content.sender;
    if (sender.senderType !== 'external' || sender.senderIndex !== DELIVERY_SERVICE_SENDER_INDEX) {
      throw new MlsError('policy_rejected', 'only the delivery service (external sender 0) may propose');
    }
    const proposal = content.proposal;
    const summary = summarize(proposal, state.ratchetTree);
    if (summary === undefined) {
      throw new MlsError(
        'policy_rejected',
        'the delivery service may only propose Add and Remove here (RFC 9420 §12.1.8)',
      );
    }
    if (summary.type === 'add' && 'add' in proposal) {
      const leaf = proposal.add.keyPackage.leafNode;
      if (!(await this.auth.validateJoining(leaf.credential, leaf.signaturePublicKey))) {
        throw new MlsError('credential_rejected', this.auth.takeRefusal() ?? 'credential refused');
      }
    }
    if (summary.type === 'remove') {
      const target = membersOf(state.ratchetTree).find((m) => m.leafIndex === summary.leafIndex);
      if (target === undefined)
        throw new MlsError('policy_rejected', `no member at leaf ${summary.leafIndex}`);
      if (this.options.authorizeRemoval && !(await this.options.authorizeRemoval(target))) {
        throw new MlsError('policy_rejected', `removal of '${target.userId}' was not announced`);
      }
    }
    const result = await this.library('invalid_message', () =>
      processExternalProposal(state, message, this.cs, membershipPolicy),
    );
    if (result.actionTaken === 'reject') throw new MlsError('policy_rejected', 'proposal refused by policy');
    this.replace(result.newState, result.consumed);
    return { kind: 'proposal', proposal: summary };
  }

  private async processCommit(message: MLSMessage): Promise<MlsIncoming> {
    const state = this.current();
    const before = membersOf(state.ratchetTree);
    let committer: number;
    let outcome: { newState: ClientState; consumed: Uint8Array[]; actionTaken: 'accept' | 'reject' };
    if (message.wireformat === 'mls_private_message') {
      committer = await this.senderOf(message.privateMessage, state.keySchedule.senderDataSecret);
      const result = await this.library('commit_rejected', () =>
        processPrivateMessage(state, message.privateMessage, emptyPskIndex, this.cs, membershipPolicy),
      );
      if (result.kind !== 'newState') throw new MlsError('invalid_message', 'not a commit');
      outcome = result;
    } else if (message.wireformat === 'mls_public_message') {
      const sender = message.publicMessage.content.sender;
      if (sender.senderType !== 'member')
        throw new MlsError('policy_rejected', 'only members commit here (no external commits)');
      committer = sender.leafIndex;
      outcome = await this.library('commit_rejected', () =>
        processPublicMessage(state, message.publicMessage, emptyPskIndex, this.cs, membershipPolicy),
      );
    } else {
      throw new MlsError('invalid_message', 'not a commit');
    }
    if (outcome.actionTaken === 'reject') {
      throw new MlsError('policy_rejected', 'commit covers proposals the delivery service did not make');
    }
    if (outcome.newState.groupActiveState.kind === 'removedFromGroup') {
      wipe(...outcome.consumed);
      eraseAll(outcome.newState);
      return this.becomeRemoved();
    }
    this.replace(outcome.newState, outcome.consumed);
    return { kind: 'epoch', change: epochChange(before, this.current(), committer) };
  }

  private async processApplication(
    message: PrivateMessage,
  ): Promise<Extract<MlsIncoming, { kind: 'application' }>> {
    const state = this.current();
    const current = message.epoch === state.groupContext.epoch;
    const epochData = current ? undefined : state.historicalReceiverData.get(message.epoch);
    if (!current && epochData === undefined)
      throw new MlsError('wrong_epoch', `no keys left for epoch ${message.epoch}`);
    const senderIndex = await this.senderOf(
      message,
      epochData?.senderDataSecret ?? state.keySchedule.senderDataSecret,
    );
    const tree = epochData?.ratchetTree ?? state.ratchetTree;
    const result = await this.library('invalid_message', () =>
      processPrivateMessage(state, message, emptyPskIndex, this.cs),
    );
    if (result.kind !== 'applicationMessage')
      throw new MlsError('invalid_message', 'not an application message');
    const sender = membersOf(tree).find((m) => m.leafIndex === senderIndex);
    if (sender === undefined) throw new MlsError('invalid_message', `no member at leaf ${senderIndex}`);
    const data = copyBytes(result.message);
    this.replace(result.newState, result.consumed);
    return { kind: 'application', data, sender, epoch: message.epoch };
  }

  /** Leaf index from a PrivateMessage's encrypted sender data (RFC 9420 §6.3.2); the library then verifies the
   * content's signature with that leaf's key, so the index is authenticated once processing succeeds. */
  private async senderOf(message: PrivateMessage, senderDataSecret: Uint8Array): Promise<number> {
    const senderData = await decryptSenderData(message, senderDataSecret, this.cs).catch(() => undefined);
    if (senderData === undefined) throw new MlsError('invalid_message', 'sender data does not decrypt');
    return senderData.leafIndex;
  }

  private applyPending(): EpochChange {
    const pending = this.pending;
    if (pending === undefined) throw new MlsError('no_pending_commit', 'no commit of ours is pending');
    const state = this.current();
    const before = membersOf(state.ratchetTree);
    this.pending = undefined;
    this.replace(
      withLatestReceiveKeys(pending.result.newState, pending.base, state),
      pending.result.consumed,
    );
    return epochChange(before, this.current(), state.privatePath.leafIndex);
  }

  private dropPending(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) eraseUnshared(pending.result.newState, this.current());
  }

  /** Only after processing a commit (so authenticated) that removed us. */
  private becomeRemoved(): MlsIncoming {
    this.eraseEverything();
    this.status = 'removed';
    return { kind: 'removed', reason: 'removed-by-commit', epoch: this.lastEpoch };
  }

  private eraseEverything(): void {
    if (this.state !== undefined) {
      this.lastGroupId = copyBytes(this.state.groupContext.groupId);
      this.lastEpoch = this.state.groupContext.epoch;
      if (this.pending !== undefined) eraseAll(this.pending.result.newState);
      eraseAll(this.state);
    }
    this.pending = undefined;
    this.state = undefined;
    wipe(
      this.privateKeys.initPrivateKey,
      this.privateKeys.hpkePrivateKey,
      this.privateKeys.signaturePrivateKey,
    );
  }

  /** RFC 9420 §12.1.8.1: the only external sender must be the delivery service this client was told about. */
  private assertDeliveryServiceIsSoleExtension(state: ClientState): void {
    if (!hasOnlyOurDeliveryService(state, this.options.deliveryServiceKey)) {
      eraseAll(state);
      throw new MlsError(
        'policy_rejected',
        'the group does not name our delivery service as its sole external sender',
      );
    }
  }

  /** Calls into ts-mls, turning its errors into MlsError (`fallback` for the generic ones). */
  private async library<T>(fallback: MlsErrorCode, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      if (cause instanceof MlsError) throw cause;
      const refusal = this.auth.takeRefusal();
      if (refusal !== undefined) throw new MlsError('credential_rejected', refusal, { cause });
      if (cause instanceof UsageError) throw new MlsError('invalid_argument', cause.message, { cause });
      const known =
        cause instanceof ValidationError ||
        cause instanceof CryptoVerificationError ||
        cause instanceof CodecError ||
        cause instanceof CryptoError;
      const message = known ? cause.message : 'the MLS library failed';
      throw new MlsError(fallback, message, { cause });
    }
  }
}

/**
 * This member's credential: room control's statement for `signaturePublicKey` when the app obtains one (it must
 * name this user and exactly this key), else the bare `user:<userId>`.
 */
async function ownCredential(
  options: MlsMemberOptions,
  signaturePublicKey: Uint8Array,
): Promise<Extract<Credential, { credentialType: 'basic' }>> {
  if (options.obtainStatement === undefined) return memberCredential(options.userId);
  const statement = await options.obtainStatement(copyBytes(signaturePublicKey));
  const claims = readMemberStatement(statement);
  if (
    claims === undefined ||
    claims.userId !== options.userId ||
    !bytesEqual(claims.signaturePublicKey, signaturePublicKey)
  ) {
    throw new MlsError(
      'credential_rejected',
      'the statement obtained does not bind this user and signature key',
    );
  }
  return statementCredential(statement);
}

/**
 * A pending commit's new state keeps, for late messages of the epoch it closes, the receive keys as they were
 * when the commit was made. If messages of that epoch were processed since (their keys ratcheted and the old
 * ones erased), use the current receive keys instead.
 */
function withLatestReceiveKeys(next: ClientState, base: ClientState, current: ClientState): ClientState {
  const epoch = current.groupContext.epoch;
  const kept = next.historicalReceiverData.get(epoch);
  if (current === base || kept === undefined) return next;
  const history = new Map(next.historicalReceiverData).set(epoch, {
    ...kept,
    secretTree: current.secretTree,
  });
  return { ...next, historicalReceiverData: history };
}
