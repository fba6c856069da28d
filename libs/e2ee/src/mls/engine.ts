/**
 * The MLS engine boundary (RFC 9420): what the browser client and the SFU need from an MLS library, in our
 * terms. `TsMlsEngine` implements it over ts-mls; another library can replace it behind the same interfaces.
 *
 * Message bytes are always full `MLSMessage` encodings (RFC 9420 §6): KeyPackage, PublicMessage,
 * PrivateMessage, Welcome. Leaf indices are MLS leaf indices (§4.1), stable while a member stays in the group.
 */
import type { CommitAuthContent } from './commit-auth';
import type { MemberAuthorizer } from './credentials';
import type { MlsSuite } from './suites';

/** A member as the group's own ratchet tree shows it. */
export interface MemberInfo {
  readonly leafIndex: number;
  readonly userId: string;
  readonly signaturePublicKey: Uint8Array;
  /** The leaf credential's identity bytes (room control's statement: display name, participant session). */
  readonly credential: Uint8Array;
}

/** A proposal waiting for the next commit. Only the delivery service (external sender) proposes here. */
export type PendingProposal =
  | { readonly type: 'add'; readonly userId: string; readonly signaturePublicKey: Uint8Array }
  | { readonly type: 'remove'; readonly leafIndex: number; readonly userId: string };

/** What a commit changed. */
export interface EpochChange {
  /** The new epoch. */
  readonly epoch: bigint;
  readonly added: readonly MemberInfo[];
  readonly removed: readonly MemberInfo[];
  /** Leaf index of the committer. */
  readonly committer: number;
}

/** The outcome of `MlsMember.handle()`. */
export type MlsIncoming =
  /** An external proposal of the delivery service, kept until a commit covers it. */
  | { readonly kind: 'proposal'; readonly proposal: PendingProposal }
  /** A commit moved the group to a new epoch (ours, if it was the echo of our pending commit). */
  | { readonly kind: 'epoch'; readonly change: EpochChange }
  /** A chat message, authenticated as coming from `sender`. */
  | {
      readonly kind: 'application';
      readonly data: Uint8Array;
      readonly sender: MemberInfo;
      readonly epoch: bigint;
    }
  /**
   * This client is out of the group: a commit it processed (and so authenticated) removed it. Its secrets are
   * erased; it must rejoin with a new KeyPackage. Nothing read from a message's clear header alone (such as a
   * later epoch) ever leads here: that is refused with MlsError('wrong_epoch') and the state is kept.
   */
  | {
      readonly kind: 'removed';
      readonly reason: 'removed-by-commit';
      readonly epoch: bigint;
    };

/** A commit of ours, sent to the delivery service and not applied until it accepts it. */
export interface PendingCommit {
  /** The epoch the commit closes (what the delivery service sequences on). */
  readonly epoch: bigint;
  /** MLSMessage (PrivateMessage, or PublicMessage if configured) to send to the delivery service. */
  readonly commit: Uint8Array;
  /** MLSMessage Welcome for the members this commit adds, if any. */
  readonly welcome?: Uint8Array;
  /** KeyPackageRefs (hex) the Welcome is for (RFC 9420 §12.4.3.1), so the SFU routes it. */
  readonly welcomeRecipients: readonly string[];
  /** Encoded ratchet tree (RFC 9420 §12.4.3.3) to send with the Welcome when it does not carry it itself. */
  readonly ratchetTree?: Uint8Array;
  /** The proposals the commit applies: joiners by signature key, removals by leaf. */
  readonly covers: { readonly added: readonly Uint8Array[]; readonly removed: readonly number[] };
  /** The committer's signature over the commit, its Welcome and `covers` (see commit-auth.ts). */
  readonly authentication: Uint8Array;
}

/**
 * One epoch's exporter (RFC 9420 §8.5), usable until the member leaves that epoch. The keyring takes it to
 * derive SFrame keys (RFC 9605 §5.2).
 */
export interface EpochExporter {
  readonly epoch: bigint;
  /** Leaf indices of the members of this epoch. */
  readonly memberIndices: readonly number[];
  /** `MLS-Exporter(label, context, length)`; throws MlsError('wrong_epoch') once the epoch is over. */
  exportSecret(label: string, context: Uint8Array, length: number): Promise<Uint8Array>;
}

export interface MlsMemberOptions {
  /** The authenticated user (the join ticket's `sub`); the credential says `user:<userId>`. */
  readonly userId: string;
  /** Default `'aes256'`. Every member of a room must use the room's suite. */
  readonly suite?: MlsSuite;
  /** The delivery service's signature public key, as the SFU announced it (RFC 9420 §12.1.8.1). */
  readonly deliveryServiceKey: Uint8Array;
  /**
   * The app's check of other members' credentials. The product's is `MemberStatementVerifier.authorizer()`:
   * only statements room control signed for this meeting and the member's exact signature key.
   */
  readonly authorizeMember: MemberAuthorizer;
  /**
   * Gets room control's signed statement binding this member's fresh signature key (the bytes of a
   * `@conclave/protocol` member credential), which becomes the member's BasicCredential identity. Absent: the
   * bare `user:<userId>` credential, only for tests of the MLS machinery whose `authorizeMember` trusts it.
   */
  readonly obtainStatement?: (signaturePublicKey: Uint8Array) => Promise<Uint8Array>;
  /**
   * Called before an external Remove proposal is accepted, with the member the group's tree has at that leaf:
   * return false if the delivery service did not announce this participant as leaving. Default: accept.
   */
  readonly authorizeRemoval?: (member: MemberInfo) => boolean | Promise<boolean>;
  /** Put the ratchet tree in Welcome messages (RFC 9420 §12.4.3.3). Default true; else see PendingCommit.ratchetTree. */
  readonly welcomeCarriesRatchetTree?: boolean;
  /** Send commits as PublicMessage (visible to the delivery service) instead of PrivateMessage. Default false. */
  readonly publicCommits?: boolean;
}

/**
 * A client's membership in one MLS group for one session. Its signature key pair and KeyPackage are fresh
 * (never reused across sessions). All methods are serialized: calls made concurrently run one after another.
 */
export interface MlsMember {
  readonly userId: string;
  readonly suite: MlsSuite;
  /** This session's KeyPackage (MLSMessage) for the delivery service. */
  readonly keyPackage: Uint8Array;
  readonly signaturePublicKey: Uint8Array;
  /** True once `createGroup()` or `joinFromWelcome()` succeeded and until removal or `close()`. */
  readonly active: boolean;
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly ownLeafIndex: number;
  /** Members of the current epoch, from the group's ratchet tree, in leaf order. */
  members(): MemberInfo[];
  /** Proposals received in this epoch and not yet committed. */
  pendingProposals(): PendingProposal[];

  /** Create the group (first participant), naming the delivery service as external sender. */
  createGroup(groupId: Uint8Array): Promise<void>;
  /** Join from a Welcome addressed to our KeyPackage; `ratchetTree` if the Welcome does not carry it. */
  joinFromWelcome(welcome: Uint8Array, ratchetTree?: Uint8Array): Promise<void>;
  /** Process a handshake or application message relayed by the delivery service. */
  handle(message: Uint8Array): Promise<MlsIncoming>;
  /**
   * Process a chat message: only a PrivateMessage of content type application is taken (MlsError
   * 'invalid_message' otherwise), so nothing arriving on the chat path can change the group or this member.
   */
  handleApplication(message: Uint8Array): Promise<Extract<MlsIncoming, { kind: 'application' }>>;

  /** Commit every pending proposal (or nothing: a path update, for post-compromise security). */
  commit(): Promise<PendingCommit>;
  /** The delivery service accepted our pending commit: move to its epoch. */
  confirmCommit(): Promise<EpochChange>;
  /** The delivery service refused our pending commit: forget it (then process the winning commit). */
  discardCommit(): Promise<void>;

  /**
   * This member's authentication (its leaf signature, commit-auth.ts) over `content`; `commit()` adds it to
   * every commit. Test tools also use it to play a committer that signs what it likes.
   */
  authenticateCommit(content: CommitAuthContent): Promise<Uint8Array>;

  /** Encrypt a chat message for the current epoch (PrivateMessage). */
  encrypt(data: Uint8Array): Promise<Uint8Array>;

  /** RFC 9420 §8.7 epoch authenticator of the current epoch (a copy). */
  epochAuthenticator(): Uint8Array;
  /** Short code derived from the epoch authenticator; equal on every member of the epoch. */
  safetyCode(): Promise<string>;
  /** RFC 9420 §8.5 `MLS-Exporter(label, context, length)` of the current epoch. */
  exportSecret(label: string, context: Uint8Array, length: number): Promise<Uint8Array>;
  /** The current epoch's exporter, bound to that epoch. */
  epochExporter(): EpochExporter;

  /** Erase every secret and stop. */
  close(): Promise<void>;
}

/** A signed external proposal for the group, to broadcast to its members. */
export interface ExternalProposalRequest {
  readonly groupId: Uint8Array;
  /** The group's current epoch (RFC 9420 §6: proposals are only valid in their epoch). */
  readonly epoch: bigint;
}

/** What the delivery service reads from a KeyPackage, after checking its signatures. */
export interface KeyPackageInfo {
  readonly userId: string;
  readonly signaturePublicKey: Uint8Array;
  /** RFC 9420 §5.2 KeyPackageRef (hex): how a Welcome names its recipient. */
  readonly keyPackageRef: string;
  readonly suite: MlsSuite;
}

/** The SFU's side of MLS (RFC 9420 §3: delivery service, plus external sender §12.1.8). It holds no group secret. */
export interface MlsDeliveryService {
  readonly suite: MlsSuite;
  /** The external sender's signature public key, to give to the group creator and every joiner. */
  readonly signaturePublicKey: Uint8Array;
  /** Decode and verify a KeyPackage (key package and leaf signatures, suite, credential form). */
  inspectKeyPackage(keyPackage: Uint8Array): Promise<KeyPackageInfo>;
  /** External Add proposal (PublicMessage) for `keyPackage`. */
  proposeAdd(request: ExternalProposalRequest & { readonly keyPackage: Uint8Array }): Promise<Uint8Array>;
  /** External Remove proposal (PublicMessage) for the member at `leafIndex`. */
  proposeRemove(request: ExternalProposalRequest & { readonly leafIndex: number }): Promise<Uint8Array>;
  /** True if `signature` is a commit authentication by the holder of `signaturePublicKey` over `content`. */
  verifyCommit(
    content: CommitAuthContent,
    signaturePublicKey: Uint8Array,
    signature: Uint8Array,
  ): Promise<boolean>;
  /** Erase the signature private key. */
  close(): void;
}

/** The factory both sides use; the only thing that names a concrete MLS library. */
export interface MlsEngine {
  readonly name: string;
  createMember(options: MlsMemberOptions): Promise<MlsMember>;
  createDeliveryService(options?: { readonly suite?: MlsSuite }): Promise<MlsDeliveryService>;
}
