import { randomBytes } from 'node:crypto';
import { inspectMlsMessage, type MlsDeliveryService, type MlsSuite } from '@conclave/e2ee';
import type {
  ClientRequestOf,
  E2eeInfo,
  ProposedChange,
  ResponseDataMap,
  RosterEntry,
} from '@conclave/protocol';
import { BadRequestError, ConflictError, ForbiddenError, type Logger } from '@conclave/server-kit';
import type { Participant } from '../rooms/participant';
import { EncodedNotification } from '../signalling/encoded-message';
import type { DeliveryServices } from './delivery-service';
import type { Room } from '../rooms/room';

interface Member {
  participantId: string;
  userId: string;
  leafIndex: number;
  signatureKey: string;
}

/** A key package waiting for the group to add it. */
interface Joiner {
  participantId: string;
  userId: string;
  keyPackage: Uint8Array;
  /** RFC 9420 §5.2 KeyPackageRef (hex): how a Welcome names its recipient. */
  keyPackageRef: string;
  signatureKey: string;
}

/** Sequenced commits remembered for reports that arrive late (a few epochs are plenty). */
const COMMIT_HISTORY = 16;

interface SequencedCommit {
  committer: string;
  /** The committer's user: excluded even if that participant has left and comes back with a new ticket. */
  committerUserId: string;
  /** Members and joiners that had to process the commit (or its Welcome). */
  recipients: Set<string>;
  reporters: Set<string>;
}

/** Per-room delivery-service state: who is in the MLS group, at which leaves, and the current epoch. */
class GroupState {
  readonly groupId = randomBytes(16);

  /** `mls`: the delivery service of the room's suite. */
  constructor(readonly mls: MlsDeliveryService) {}

  epoch: number | null = null;
  /** Leaves of the ratchet tree: null where blank (RFC 9420 §7.7 fills the leftmost blank leaf first). */
  leaves: (Member | null)[] = [];
  /** Proposals sent for the current epoch, in order; a commit of this epoch applies them all. */
  pendingAdds: Joiner[] = [];
  pendingRemoves: number[] = [];
  /** Joiners whose key package arrived before the group existed. */
  waiting: Joiner[] = [];
  /**
   * Joiners held back for the next batch of Adds (join storms): announced to nobody yet, so each may still be
   * replaced or dropped. `heldSince` is when the oldest arrived.
   */
  held: Joiner[] = [];
  heldSince = 0;
  /** Fires when the held joiners' batching window closes. */
  batchTimer: ReturnType<typeof setTimeout> | undefined;
  /** Who must commit this epoch's proposals, once designated. */
  committer: string | undefined;
  /** Fires if the committer has not committed in time. */
  commitTimer: ReturnType<typeof setTimeout> | undefined;
  /** Recent sequenced commits by the epoch they opened: who made them, who had to process them, who could not. */
  readonly commits = new Map<number, SequencedCommit>();

  memberIds(): string[] {
    return this.leaves.filter((m): m is Member => m !== null).map((m) => m.participantId);
  }

  roster(): RosterEntry[] {
    return this.leaves
      .filter((m): m is Member => m !== null)
      .map((m) => ({
        leafIndex: m.leafIndex,
        participantId: m.participantId,
        userId: m.userId,
        ...(m.signatureKey !== '' ? { signatureKey: m.signatureKey } : {}),
      }));
  }

  leafOf(participantId: string): number | undefined {
    const index = this.leaves.findIndex((m) => m?.participantId === participantId);
    return index < 0 ? undefined : index;
  }

  /**
   * Who may commit an update (no proposal waiting) in this epoch: the members take turns in leaf order, so
   * every leaf is refreshed in time and nobody else's update commit is sequenced.
   */
  updater(): string | undefined {
    const members = this.memberIds();
    return this.epoch === null ? undefined : members[this.epoch % members.length];
  }
}

/** The SFU's `e2ee` configuration (see config.ts). */
export interface E2eeRelayOptions {
  /** Suite of a room whose tickets name none. */
  readonly defaultSuite: MlsSuite;
  /** Time the designated committer has before the next member is asked to commit. */
  readonly commitTimeoutMs: number;
  /** Quiet time after which a member updates its leaf (told to clients). */
  readonly updateIntervalMs: number;
  /**
   * How long the first of a batch of joiners waits for others before their Adds are proposed together (one
   * commit, one epoch, one Welcome for all); a batch is also held while the previous commit is outstanding.
   */
  readonly batchWindowMs: number;
}

/**
 * The SFU's side of E2EE: it relays MLS messages, proposes Add/Remove as the group's external sender,
 * sequences commits (only the designated committer's, authenticated by its leaf signature key), forwards
 * Welcome messages, and relays chat (application messages of the current epoch only). It holds no group secret
 * and stores nothing of what it relays. A committer whose commit most of the group reports it cannot process
 * is excluded from the room's group (docs/security/e2ee.md, "Sequencing").
 */
export class E2eeRelay {
  private readonly groups = new WeakMap<Room, GroupState>();
  /** Each live room's suite: set by its first join ticket, fixed while the room lives. */
  private readonly suites = new WeakMap<Room, MlsSuite>();
  /** Users whose commit the group could not process: no key package of theirs is taken while the room lives. */
  private readonly excluded = new WeakMap<Room, Set<string>>();

  constructor(
    private readonly deliveryServices: DeliveryServices,
    private readonly options: E2eeRelayOptions,
    private readonly log: Logger,
  ) {}

  /**
   * The room's MLS suite for a join ticket naming `requested` (none: the configured default). The first
   * ticket sets it; one naming another suite is refused, since the group's keys cannot change suite.
   */
  bindSuite(room: Room, requested: MlsSuite | undefined): MlsSuite {
    const suite = requested ?? this.options.defaultSuite;
    const bound = this.suites.get(room);
    if (bound === undefined) this.suites.set(room, suite);
    else if (bound !== suite)
      throw new ConflictError('suite_mismatch', `this meeting's encryption uses the ${bound} suite`);
    return suite;
  }

  info(room: Room): E2eeInfo {
    const group = this.group(room);
    return {
      groupId: b64(group.groupId),
      suite: group.mls.suite,
      externalSenderKey: b64(group.mls.signaturePublicKey),
      epoch: group.epoch,
      updateIntervalMs: this.options.updateIntervalMs,
    };
  }

  /** The first participant created the group (epoch 0, itself at leaf 0). */
  async groupCreated(
    room: Room,
    participant: Participant,
    encodedKeyPackage: string,
  ): Promise<ResponseDataMap['mlsGroupCreated']> {
    const group = this.group(room);
    if (group.epoch !== null)
      throw new ConflictError('conflict', 'the group exists already; send a key package');
    const creator = await this.vouch(room, participant, encodedKeyPackage);
    group.epoch = 0;
    group.leaves = [
      {
        participantId: participant.id,
        userId: participant.userId,
        leafIndex: 0,
        signatureKey: creator.signatureKey,
      },
    ];
    const waiting = group.waiting.filter(
      (j) => j.participantId !== participant.id && room.participants.has(j.participantId),
    );
    group.waiting = [];
    for (const joiner of waiting) this.hold(group, joiner);
    await this.flushHeld(room, group);
    return { epoch: 0 };
  }

  /** A participant's fresh key package; relayed only if its credential names the ticket's user and session. */
  async keyPackage(
    room: Room,
    participant: Participant,
    encoded: string,
  ): Promise<ResponseDataMap['mlsKeyPackage']> {
    const joiner = await this.vouch(room, participant, encoded);
    const group = this.group(room);
    if (group.leafOf(participant.id) !== undefined) throw new ConflictError('conflict', 'already a member');
    if (group.epoch === null) {
      group.waiting = [...group.waiting.filter((j) => j.participantId !== participant.id), joiner];
      return {};
    }
    // An Add already went out to the members and cannot be withdrawn: a second one would make every commit
    // either cover a proposal the SFU forgot or miss one the members hold.
    if (group.pendingAdds.some((j) => j.participantId === participant.id))
      throw new ConflictError('conflict', 'a key package of yours is already proposed');
    this.hold(group, joiner);
    await this.flushHeld(room, group);
    return {};
  }

  /** Holds a joiner for the next batch of Adds (a newer key package of the same participant replaces its last). */
  private hold(group: GroupState, joiner: Joiner): void {
    const others = group.held.filter((j) => j.participantId !== joiner.participantId);
    if (others.length === 0) group.heldSince = Date.now();
    group.held = [...others, joiner];
  }

  /**
   * Proposes every held joiner at once, so that one commit adds them all: once the oldest has waited
   * `batchWindowMs`, and only when no proposal of this epoch is outstanding (while a commit is being made, new
   * joiners wait for the next epoch instead of being proposed into one their commit will not cover). The
   * commit that closes the epoch calls this again.
   */
  private async flushHeld(room: Room, group: GroupState): Promise<void> {
    if (this.groups.get(room) !== group || group.epoch === null || group.held.length === 0) return;
    if (group.pendingAdds.length > 0 || group.pendingRemoves.length > 0) return;
    const wait = group.heldSince + this.options.batchWindowMs - Date.now();
    if (wait > 0) {
      if (group.batchTimer === undefined) {
        group.batchTimer = setTimeout(() => {
          group.batchTimer = undefined;
          this.flushHeld(room, group).catch((error: unknown) =>
            this.log.warn('batched Add proposals failed', { room: room.id, error: String(error) }),
          );
        }, wait);
        group.batchTimer.unref();
      }
      return;
    }
    clearTimeout(group.batchTimer);
    group.batchTimer = undefined;
    const batch = group.held.filter((j) => room.participants.has(j.participantId));
    group.held = [];
    await this.proposeAdds(room, group, batch);
  }

  /**
   * A member that could not process the commit that opened `epoch` (or its Welcome), or found the group past
   * it, dropped its state and sends a fresh key package: its old leaf is removed and the new one added. An
   * unprocessable commit counts against its committer, who is not designated again while others can commit;
   * once more than half of the commit's recipients reported it, the committer is excluded.
   */
  async rejoin(
    room: Room,
    participant: Participant,
    request: Pick<ClientRequestOf<'mlsRejoin'>, 'epoch' | 'reason' | 'keyPackage'>,
  ): Promise<ResponseDataMap['mlsRejoin']> {
    const joiner = await this.vouch(room, participant, request.keyPackage);
    const group = this.group(room);
    if (group.epoch === null) throw new ConflictError('conflict', 'no group yet; create it');
    if (group.pendingAdds.some((j) => j.participantId === participant.id))
      throw new ConflictError('conflict', 'a key package of yours is already proposed');
    group.held = group.held.filter((j) => j.participantId !== participant.id);
    // Only a commit the member received and could not process is its committer's fault.
    const reported = request.reason === 'commit-unprocessable' ? group.commits.get(request.epoch) : undefined;
    if (reported?.recipients.has(participant.id) === true) reported.reporters.add(participant.id);
    const leaf = group.leafOf(participant.id);
    if (leaf !== undefined && !group.pendingRemoves.includes(leaf)) {
      await this.proposeRemove(room, group, participant.id, leaf);
      if (this.groups.get(room) !== group) return {}; // re-formed: everyone starts a new group
    }
    if (reported !== undefined && reported.reporters.size * 2 > reported.recipients.size) {
      await this.exclude(room, group, reported);
      if (this.groups.get(room) !== group) return {};
    }
    await this.proposeAdd(room, group, joiner);
    return {};
  }

  /** The committer of a commit the group could not process leaves the group and cannot come back into it. */
  private async exclude(room: Room, group: GroupState, commit: SequencedCommit): Promise<void> {
    const { committer, committerUserId } = commit;
    if (this.excludedUsers(room).has(committerUserId)) return;
    this.excludedUsers(room).add(committerUserId);
    this.log.warn('committer excluded from the E2EE group: most members could not process its commit', {
      room: room.id,
      participant: committer,
      epoch: group.epoch,
    });
    if (group.committer === committer) group.committer = undefined;
    const leaf = group.leafOf(committer);
    if (leaf !== undefined && !group.pendingRemoves.includes(leaf))
      await this.proposeRemove(room, group, committer, leaf);
  }

  private excludedUsers(room: Room): Set<string> {
    let users = this.excluded.get(room);
    if (users === undefined) this.excluded.set(room, (users = new Set()));
    return users;
  }

  /** Checks a key package (signatures, suite, credential) and that it names the user of the join ticket. */
  private async vouch(room: Room, participant: Participant, encoded: string): Promise<Joiner> {
    const keyPackage = fromB64(encoded);
    let info;
    try {
      info = await this.group(room).mls.inspectKeyPackage(keyPackage);
    } catch (error) {
      throw new BadRequestError('bad_request', 'not a valid key package', (error as Error).message);
    }
    if (info.userId !== participant.userId) {
      throw new ForbiddenError('key_package_identity_mismatch', 'the key package names someone else');
    }
    if (this.excluded.get(room)?.has(participant.userId) === true) {
      throw new ForbiddenError('forbidden', "excluded from this meeting's encryption group");
    }
    return {
      participantId: participant.id,
      userId: participant.userId,
      keyPackage,
      keyPackageRef: info.keyPackageRef,
      signatureKey: b64(info.signaturePublicKey),
    };
  }

  /**
   * The designated committer's commit for `epoch`, checked against its leaf signature key, then fanned out
   * with its Welcome. It applies the proposals it `covers`; those of this epoch it does not (they arrived while
   * it was being made) are proposed again for the next epoch, so nobody waits for a Welcome that is not coming.
   */
  async commit(
    room: Room,
    participant: Participant,
    request: Pick<ClientRequestOf<'mlsCommit'>, 'epoch' | 'commit' | 'welcome' | 'covers' | 'authentication'>,
  ): Promise<ResponseDataMap['mlsCommit']> {
    const { epoch, commit: encodedCommit, welcome: encodedWelcome, covers } = request;
    const group = this.group(room);
    const leaf = group.leafOf(participant.id);
    if (leaf === undefined) throw new ForbiddenError('forbidden', 'not a group member');
    if (group.epoch === null || epoch !== group.epoch) {
      throw new ConflictError('stale_epoch', `the group is at epoch ${group.epoch}`);
    }
    this.assertDesignated(group, participant);
    const header = inspect(fromB64(encodedCommit));
    if (
      header === undefined ||
      header.wireFormat === 'welcome' ||
      header.wireFormat === 'key_package' ||
      header.wireFormat === 'group_info' ||
      header.contentType !== 'commit' ||
      header.epoch !== BigInt(epoch) ||
      !equal(header.groupId, group.groupId)
    ) {
      throw new BadRequestError('commit_rejected', 'not a commit for this group and epoch');
    }
    const welcomeFor = encodedWelcome !== undefined ? inspect(fromB64(encodedWelcome)) : undefined;
    if (encodedWelcome !== undefined && welcomeFor?.wireFormat !== 'welcome') {
      throw new BadRequestError('commit_rejected', 'the welcome is not an MLS Welcome');
    }
    // A joiner the commit adds without a Welcome would hold a leaf it cannot use, and could be designated.
    const welcomed = welcomeFor?.wireFormat === 'welcome' ? welcomeFor.recipients : [];
    const unwelcomed = group.pendingAdds.filter(
      (j) => covers.added.includes(j.signatureKey) && !welcomed.includes(j.keyPackageRef),
    );
    if (unwelcomed.length > 0)
      throw new BadRequestError('commit_rejected', 'the commit adds a joiner its Welcome does not name');
    const verified = await group.mls.verifyCommit(
      {
        groupId: group.groupId,
        epoch: BigInt(epoch),
        commit: fromB64(encodedCommit),
        ...(encodedWelcome !== undefined ? { welcome: fromB64(encodedWelcome) } : {}),
        added: covers.added.map(fromB64),
        removed: covers.removed,
      },
      fromB64(group.leaves[leaf]!.signatureKey),
      fromB64(request.authentication),
    );
    if (!verified)
      throw new BadRequestError('commit_rejected', "the commit is not signed by its committer's leaf key");
    // The group may have moved on while the signature was checked.
    if (this.groups.get(room) !== group || group.epoch !== epoch)
      throw new ConflictError('stale_epoch', `the group is at epoch ${group.epoch}`);
    this.assertDesignated(group, participant);
    const adds = group.pendingAdds.filter((j) => covers.added.includes(j.signatureKey));
    const removes = group.pendingRemoves.filter((leaf) => covers.removed.includes(leaf));
    if (adds.length !== covers.added.length || removes.length !== covers.removed.length) {
      throw new BadRequestError('commit_rejected', 'the commit covers a proposal this epoch does not have');
    }
    const uncovered = group.pendingAdds.filter((j) => !adds.includes(j));
    const recipients = new Set(group.memberIds().filter((id) => id !== participant.id));
    // The commit applies its proposals: removes first, then adds at the leftmost blank leaves (RFC 9420 §12.3).
    for (const leaf of removes) group.leaves[leaf] = null;
    while (group.leaves.length > 0 && group.leaves[group.leaves.length - 1] === null) group.leaves.pop();
    const added = adds.filter((j) => room.participants.has(j.participantId));
    for (const joiner of adds) {
      const blank = group.leaves.indexOf(null);
      const leafIndex = blank < 0 ? group.leaves.length : blank;
      group.leaves[leafIndex] = {
        participantId: joiner.participantId,
        userId: joiner.userId,
        leafIndex,
        signatureKey: joiner.signatureKey,
      };
    }
    group.pendingAdds = [];
    group.pendingRemoves = [];
    group.epoch = epoch + 1;
    clearTimeout(group.commitTimer);
    group.committer = undefined;

    for (const joiner of adds) recipients.add(joiner.participantId);
    group.commits.set(group.epoch, {
      committer: participant.id,
      committerUserId: participant.userId,
      recipients,
      reporters: new Set(),
    });
    group.commits.delete(group.epoch - COMMIT_HISTORY);

    const roster = group.roster();
    // Members it removes get the commit too: processing it is how their client learns and erases its keys.
    for (const memberId of recipients) {
      if (added.some((j) => j.participantId === memberId)) continue;
      room.participants.get(memberId)?.notify({
        type: 'mlsCommit',
        epoch: group.epoch,
        message: encodedCommit,
        from: participant.id,
        roster,
      });
    }
    if (encodedWelcome !== undefined && welcomeFor?.wireFormat === 'welcome') {
      for (const joiner of added) {
        if (!welcomeFor.recipients.includes(joiner.keyPackageRef)) continue;
        room.participants
          .get(joiner.participantId)
          ?.notify({ type: 'mlsWelcome', welcome: encodedWelcome, epoch: group.epoch, roster });
      }
    }
    // Joiners this commit left out, and members who left while it was in flight (or whose removal it left
    // out), are proposed again for the new epoch.
    for (const joiner of uncovered) {
      if (room.participants.has(joiner.participantId)) await this.proposeAdd(room, group, joiner);
    }
    for (const memberId of group.memberIds()) {
      if (!room.participants.has(memberId)) await this.memberLeft(room, memberId);
    }
    await this.flushHeld(room, group);
    return { epoch: group.epoch, roster };
  }

  /** Chat: an MLS application message, relayed to the other members as is. */
  async application(
    room: Room,
    participant: Participant,
    message: string,
  ): Promise<ResponseDataMap['mlsApplication']> {
    if (!participant.has('chat')) throw new ForbiddenError('right_missing', 'missing right chat');
    const group = this.group(room);
    if (group.leafOf(participant.id) === undefined)
      throw new ForbiddenError('forbidden', 'not a group member');
    // Only what members can take as chat is relayed: a handshake message here would reach their MLS state
    // machine on the authority of its clear header (RFC 9420 §6.3 leaves content type and epoch unprotected).
    const header = inspect(fromB64(message));
    if (
      header?.wireFormat !== 'private_message' ||
      header.contentType !== 'application' ||
      !equal(header.groupId, group.groupId)
    ) {
      throw new BadRequestError('bad_request', 'chat must be an MLS application message of this group');
    }
    if (header.epoch !== BigInt(group.epoch ?? -1))
      throw new ConflictError('stale_epoch', `the group is at epoch ${group.epoch}`);
    const relayed = EncodedNotification.of({ type: 'mlsApplication', from: participant.id, message });
    for (const memberId of group.memberIds()) {
      if (memberId !== participant.id) room.participants.get(memberId)?.notify(relayed);
    }
    return {};
  }

  /** Called when a participant leaves the room for any reason: an external Remove proposal follows. */
  async memberLeft(room: Room, participantId: string): Promise<void> {
    const group = this.groups.get(room);
    if (group === undefined) return;
    group.waiting = group.waiting.filter((j) => j.participantId !== participantId);
    group.held = group.held.filter((j) => j.participantId !== participantId);
    // An Add already proposed stays pending: the commit being made may cover it, and refusing that commit would
    // stall the group. Once it is added, its leaf is removed like any departed member's (commit() sweeps them).
    const leaf = group.leafOf(participantId);
    if (leaf === undefined || group.epoch === null || group.pendingRemoves.includes(leaf)) return;
    await this.proposeRemove(room, group, participantId, leaf);
  }

  private async proposeRemove(room: Room, group: GroupState, participantId: string, leaf: number) {
    group.pendingRemoves.push(leaf);
    if (this.committers(room, group).length === 0) return this.reform(room, group);
    const member = group.leaves[leaf]!;
    const proposal = await group.mls.proposeRemove({
      groupId: group.groupId,
      epoch: BigInt(group.epoch!),
      leafIndex: leaf,
    });
    this.sendProposal(room, group, proposal, {
      type: 'remove',
      participantId,
      userId: member.userId,
      leafIndex: leaf,
    });
  }

  /**
   * Nobody is left to commit: everyone starts over in a new group, under a new id (no link to the old one,
   * whose id is never used again).
   */
  private reform(room: Room, group: GroupState): void {
    clearTimeout(group.commitTimer);
    clearTimeout(group.batchTimer);
    this.groups.delete(room);
    const groupId = b64(this.group(room).groupId);
    for (const p of room.participants.values()) p.notify({ type: 'mlsCreateGroup', groupId });
  }

  /**
   * Members that may be designated to commit: present, not being removed, not excluded; and, while others
   * can, not one whose recent commit a member reported it could not process.
   */
  private committers(room: Room, group: GroupState): string[] {
    const excluded = this.excluded.get(room);
    const eligible = group.leaves
      .filter((m): m is Member => m !== null)
      .filter(
        (m) =>
          room.participants.has(m.participantId) &&
          !group.pendingRemoves.includes(m.leafIndex) &&
          excluded?.has(m.userId) !== true,
      )
      .map((m) => m.participantId);
    const suspects = new Set(
      [...group.commits.values()].filter((c) => c.reporters.size > 0).map((c) => c.committer),
    );
    const trusted = eligible.filter((id) => !suspects.has(id));
    return trusted.length > 0 ? trusted : eligible;
  }

  /** With proposals waiting only their designated committer commits; otherwise only this epoch's updater. */
  private assertDesignated(group: GroupState, participant: Participant): void {
    const waiting = group.pendingAdds.length > 0 || group.pendingRemoves.length > 0;
    const designated = waiting ? group.committer : group.updater();
    if (designated !== participant.id)
      throw new ForbiddenError('not_committer', 'another member is designated to commit this epoch');
  }

  private async proposeAdd(room: Room, group: GroupState, joiner: Joiner): Promise<void> {
    await this.proposeAdds(room, group, [joiner]);
  }

  /** Signs every Add first, then sends them back to back, so the committer receives them as one batch. */
  private async proposeAdds(room: Room, group: GroupState, joiners: Joiner[]): Promise<void> {
    if (joiners.length === 0) return;
    const epoch = group.epoch!;
    group.pendingAdds.push(...joiners);
    const proposals = await Promise.all(
      joiners.map((joiner) =>
        group.mls.proposeAdd({ groupId: group.groupId, epoch: BigInt(epoch), keyPackage: joiner.keyPackage }),
      ),
    );
    // A commit or a re-formed group may have closed the epoch meanwhile; its handling re-proposes these Adds.
    if (this.groups.get(room) !== group || group.epoch !== epoch) return;
    joiners.forEach((joiner, i) =>
      this.sendProposal(room, group, proposals[i]!, {
        type: 'add',
        participantId: joiner.participantId,
        userId: joiner.userId,
        signatureKey: joiner.signatureKey,
      }),
    );
  }

  private sendProposal(room: Room, group: GroupState, proposal: Uint8Array, change: ProposedChange): void {
    const message = b64(proposal);
    // One committer per epoch avoids every member racing for it: the eligible member at the lowest leaf,
    // unless another was designated after it failed to commit in time.
    const eligible = this.committers(room, group);
    if (eligible.length === 0) return this.reform(room, group);
    if (group.committer === undefined || !eligible.includes(group.committer)) group.committer = eligible[0]!;
    const committer = group.committer;
    const members = group.memberIds().filter((id) => room.participants.has(id));
    for (const memberId of members) {
      room.participants
        .get(memberId)
        ?.notify({ type: 'mlsProposal', message, epoch: group.epoch!, committer, change });
    }
    this.armCommitTimer(room, group);
    this.log.debug('external proposal sent', { room: room.id, epoch: group.epoch });
  }

  /** If this epoch's proposals are still uncommitted in time, the next present member is asked to commit. */
  private armCommitTimer(room: Room, group: GroupState): void {
    clearTimeout(group.commitTimer);
    const epoch = group.epoch;
    group.commitTimer = setTimeout(() => {
      if (this.groups.get(room) !== group || group.epoch !== epoch) return;
      if (group.pendingAdds.length === 0 && group.pendingRemoves.length === 0) return;
      const eligible = this.committers(room, group);
      const next = eligible[(eligible.indexOf(group.committer ?? '') + 1) % eligible.length];
      if (next === undefined) return;
      const members = group.memberIds().filter((id) => room.participants.has(id));
      this.log.warn('committer did not commit in time; designating another', {
        room: room.id,
        epoch,
        late: group.committer,
      });
      group.committer = next;
      for (const memberId of members) {
        room.participants.get(memberId)?.notify({ type: 'mlsCommitter', epoch: epoch!, committer: next });
      }
      this.armCommitTimer(room, group);
    }, this.options.commitTimeoutMs);
    group.commitTimer.unref();
  }

  private group(room: Room): GroupState {
    let group = this.groups.get(room);
    if (group === undefined) {
      const suite = this.suites.get(room) ?? this.options.defaultSuite;
      group = new GroupState(this.deliveryServices.get(suite)!);
      this.groups.set(room, group);
    }
    return group;
  }
}

function inspect(bytes: Uint8Array): ReturnType<typeof inspectMlsMessage> | undefined {
  try {
    return inspectMlsMessage(bytes);
  } catch {
    return undefined;
  }
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function fromB64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}
