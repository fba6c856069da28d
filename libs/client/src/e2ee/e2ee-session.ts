import {
  EpochKeyring,
  EpochKeys,
  MemberStatementVerifier,
  MlsError,
  TsMlsEngine,
  MLS_SUITES,
  readMemberStatement,
  type MemberInfo,
  type MlsMember,
} from '@conclave/e2ee';
import type { E2eeInfo, RosterEntry } from '@conclave/protocol';
import { Emitter } from '../emitter';
import { SignallingError, type SignallingClient } from '../signalling-client';
import type { MemberIdentitySource } from './member-identity';
import { membershipChanges, peopleOf, type MembershipChange, type RosterPerson } from './roster';
import type { ToWorker } from './worker-protocol';

export interface ChatMessage {
  from: string;
  userId: string;
  text: string;
  epoch: bigint;
}

export interface E2eeSessionEvents {
  /** A new epoch: new keys, a new safety code, possibly a new roster. */
  epoch: (epoch: bigint, safetyCode: string, members: MemberInfo[]) => void;
  chat: (message: ChatMessage) => void;
  /**
   * This client lost its place in the group: a commit removed it (`removed-by-commit`), or it could not
   * process a sequenced commit or Welcome (`commit-unprocessable`) or found the group past its epoch
   * (`cannot-follow`). In the last two cases it rejoins at once with a fresh key package.
   */
  removed: (reason: string) => void;
  /** Members joined or left the group in a new epoch (to announce; not emitted for the group we found). */
  membership: (changes: MembershipChange[]) => void;
  /**
   * An MLS message from the SFU was refused (e.g. `credential_rejected`: an Add or a Welcome naming a member
   * room control did not vouch for). The group is unchanged.
   */
  refused: (code: string, message: string) => void;
}

/** Wait before committing, so proposals arriving together go into one commit. */
const COMMIT_DEBOUNCE_MS = 20;

/**
 * The MLS side of a meeting in the browser: one fresh MLS member per join, fed by the SFU's relay. Every new
 * epoch's exporter goes through the key ring to the transform worker; superseded epochs are erased after the
 * grace period. The roster and safety code come from the group itself, never from the server's word alone:
 * every member's credential is room control's signed statement, checked against room control's keys (from
 * `identity`, over TLS, never from the SFU) before its Add or the Welcome's tree is accepted.
 */
export class E2eeSession extends Emitter<E2eeSessionEvents> {
  private member: MlsMember | undefined;
  private readonly keyring: EpochKeyring;
  private readonly engine = new TsMlsEngine();
  /** Who the SFU says is at each leaf, checked against the credentials in the group's tree. */
  private roster = new Map<number, RosterEntry>();
  /** Checks members' statements against room control's keys; built once, at the first member. */
  private verifier: Promise<MemberStatementVerifier> | undefined;
  /** Members of the last epoch entered, to announce who joined and who left. */
  private lastMembers: MemberInfo[] | undefined;
  private commitTimer: ReturnType<typeof setTimeout> | undefined;
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  private committer: string | undefined;
  /** The group to create if we are first: the SFU's, replaced whenever it re-forms the group. */
  private groupId: string;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly signalling: SignallingClient,
    private readonly worker: Worker,
    private readonly self: { participantId: string; userId: string },
    private readonly info: E2eeInfo,
    private readonly identity: MemberIdentitySource,
    graceMs?: number,
  ) {
    super();
    this.groupId = info.groupId;
    this.keyring = new EpochKeyring({
      ...(graceMs !== undefined ? { graceMs } : {}),
      onErased: (epoch) => this.retireEpoch(epoch),
    });
    this.wire();
  }

  /** Creates the group (first in the room) or sends our key package and waits for a Welcome. */
  async start(): Promise<void> {
    await this.serialised(async () => {
      if (this.info.epoch === null) await this.createOrJoin();
      else await this.sendKeyPackage();
    });
  }

  /** The KID our frames carry in the current epoch (visible on the wire; not a secret). */
  get sendKid(): bigint | undefined {
    return this.currentSendKid;
  }

  get epoch(): bigint | undefined {
    return this.member?.active ? this.member.epoch : undefined;
  }

  /** The meeting's MLS cipher suite (public: the security panel names it). */
  get suite(): E2eeInfo['suite'] {
    return this.info.suite;
  }

  /** The group's members as its ratchet tree shows them (the roster people should trust). */
  members(): MemberInfo[] {
    return this.member?.active ? this.member.members() : [];
  }

  /** Which participant sits at each leaf, as announced by the SFU and checked against the tree. */
  participantAt(leafIndex: number): RosterEntry | undefined {
    return this.roster.get(leafIndex);
  }

  /** The group's members by person: display name and device count, from their signed credentials. */
  people(): RosterPerson[] {
    return peopleOf(this.members());
  }

  async safetyCode(): Promise<string | undefined> {
    return this.member?.active ? this.member.safetyCode() : undefined;
  }

  /** Sends a chat message as an MLS application message (the server relays ciphertext, stores nothing). */
  async sendChat(text: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const member = this.member;
      if (member === undefined || !member.active) throw new Error('not in the encrypted group yet');
      const message = await member.encrypt(new TextEncoder().encode(text));
      try {
        await this.signalling.request('mlsApplication', { message: b64(message) });
        return;
      } catch (error) {
        // The SFU relays chat of the current epoch only; the commit that closed ours is already queued here.
        if (attempt > 0 || !(error instanceof SignallingError && error.code === 'stale_epoch')) throw error;
        await this.queue;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.commitTimer);
    clearTimeout(this.updateTimer);
    this.keyring.clear();
    this.post({ type: 'clear' });
    await this.member?.close();
    this.member = undefined;
  }

  // ------------------------------------------------------------------------------------------------------

  private wire(): void {
    this.signalling.on('mlsProposal', (m) =>
      this.serialised(async () => {
        this.committer = m.committer;
        const member = this.member;
        if (member === undefined || !member.active || BigInt(m.epoch) !== member.epoch) return;
        await member.handle(fromB64(m.message));
        // A removal is committed at once (the removed must lose access now); adds wait a moment to be batched.
        if (m.committer === this.self.participantId)
          this.scheduleCommit(m.change.type === 'remove' ? 0 : COMMIT_DEBOUNCE_MS);
      }),
    );
    this.signalling.on('mlsCommitter', (m) =>
      this.serialised(async () => {
        this.committer = m.committer;
        const member = this.member;
        if (member === undefined || !member.active || BigInt(m.epoch) !== member.epoch) return;
        if (m.committer === this.self.participantId) this.scheduleCommit(0);
      }),
    );
    this.signalling.on('mlsCommit', (m) =>
      this.serialised(async () => {
        const member = this.member;
        if (member === undefined || !member.active) return;
        const next = BigInt(m.epoch);
        if (next <= member.epoch) return;
        this.setRoster(m.roster);
        // The SFU sequenced commits we never saw: our state cannot catch up, only a fresh join can.
        const listed = m.roster.some((e) => e.participantId === this.self.participantId);
        if (next > member.epoch + 1n)
          return listed ? this.rejoin(m.epoch, 'cannot-follow') : this.leaveGroup('removed-by-commit');
        let outcome;
        try {
          outcome = await member.handle(fromB64(m.message));
        } catch (error) {
          if (!(error instanceof MlsError)) throw error;
          this.emit('refused', error.code, error.message);
          // A commit that removes us cannot always be processed (its path is not encrypted to us): the SFU's
          // roster, which no longer has us, then says so.
          if (!listed) return this.leaveGroup('removed-by-commit');
          // A group holding someone room control did not vouch for is not one to rejoin.
          if (error.code === 'credential_rejected') return;
          return this.rejoin(m.epoch, 'commit-unprocessable');
        }
        if (outcome.kind === 'epoch') await this.enterEpoch();
        else if (outcome.kind === 'removed') await this.leaveGroup(outcome.reason);
      }),
    );
    this.signalling.on('mlsWelcome', (m) =>
      this.serialised(async () => {
        const member = this.member;
        if (member === undefined || member.active) return;
        this.setRoster(m.roster);
        try {
          await member.joinFromWelcome(fromB64(m.welcome));
        } catch (error) {
          if (!(error instanceof MlsError)) throw error;
          this.emit('refused', error.code, error.message);
          if (error.code === 'credential_rejected') return;
          return this.rejoin(m.epoch, 'commit-unprocessable');
        }
        await this.enterEpoch();
      }),
    );
    this.signalling.on('mlsApplication', (m) =>
      this.serialised(async () => {
        const member = this.member;
        if (member === undefined || !member.active) return;
        // Chat never reaches the handshake path: whatever its header says, it cannot change the group.
        const outcome = await member.handleApplication(fromB64(m.message)).catch(() => undefined);
        if (outcome === undefined) return;
        this.emit('chat', {
          from: m.from,
          userId: outcome.sender.userId,
          text: new TextDecoder().decode(outcome.data),
          epoch: outcome.epoch,
        });
      }),
    );
    this.signalling.on('mlsCreateGroup', (m) =>
      this.serialised(async () => {
        // RFC 9420 §6: group_id<V>; ours are 16 random bytes. Anything else is not a group id of our SFU.
        if (typeof m.groupId !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(m.groupId))
          throw new Error('mlsCreateGroup without a valid group id');
        this.groupId = m.groupId;
        await this.member?.close();
        this.member = undefined;
        this.lastMembers = undefined;
        this.keyring.clear();
        this.post({ type: 'clear' });
        await this.createOrJoin();
      }),
    );
  }

  private async newMember(): Promise<MlsMember> {
    const suite = MLS_SUITES.find((s) => s === this.info.suite);
    if (suite === undefined) throw new Error(`unsupported MLS suite ${this.info.suite}`);
    this.verifier ??= this.identity
      .keySet()
      .then((keySet) => MemberStatementVerifier.create({ keySet, meetingId: this.identity.meetingId }));
    const verifier = await this.verifier.catch((error: unknown) => {
      this.verifier = undefined; // fetch again next time
      throw error;
    });
    return this.engine.createMember({
      userId: this.self.userId,
      suite,
      deliveryServiceKey: fromB64(this.info.externalSenderKey),
      authorizeMember: verifier.authorizer(),
      obtainStatement: async (signaturePublicKey) =>
        new TextEncoder().encode(await this.identity.credential(signaturePublicKey)),
      authorizeRemoval: (member) => this.roster.get(member.leafIndex)?.userId === member.userId,
    });
  }

  /** First in the room: create the group; if someone else won that race, join theirs instead. */
  private async createOrJoin(): Promise<void> {
    const member = await this.newMember();
    this.member = member;
    await member.createGroup(fromB64(this.groupId));
    try {
      await this.signalling.request('mlsGroupCreated', { keyPackage: b64(member.keyPackage) });
    } catch (error) {
      if (error instanceof SignallingError && error.code === 'conflict') {
        await member.close();
        this.member = undefined;
        await this.sendKeyPackage();
        return;
      }
      throw error;
    }
    this.setRoster([
      { leafIndex: member.ownLeafIndex, participantId: this.self.participantId, userId: this.self.userId },
    ]);
    await this.enterEpoch();
  }

  private async sendKeyPackage(): Promise<void> {
    const member = await this.newMember();
    this.member = member;
    await this.signalling.request('mlsKeyPackage', { keyPackage: b64(member.keyPackage) });
  }

  /** Drops our group state (telling the page) and asks the SFU to add us again with a fresh key package. */
  private async rejoin(epoch: number, reason: 'cannot-follow' | 'commit-unprocessable'): Promise<void> {
    await this.leaveGroup(reason);
    const member = await this.newMember();
    this.member = member;
    await this.signalling.request('mlsRejoin', { epoch, reason, keyPackage: b64(member.keyPackage) });
  }

  private scheduleCommit(delayMs: number): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = setTimeout(() => void this.serialised(() => this.commit('proposals')), delayMs);
  }

  /**
   * The next refresh of our own leaf if no epoch comes first (every epoch re-arms it), jittered so that one
   * member, the first whose timer fires, updates for the group.
   */
  private scheduleUpdate(): void {
    clearTimeout(this.updateTimer);
    const delay = this.info.updateIntervalMs * (0.75 + 0.5 * Math.random());
    this.updateTimer = setTimeout(() => void this.serialised(() => this.commit('update')), delay);
  }

  /**
   * Commits the pending proposals (if we are the designated committer), or, for `update`, nothing but a
   * fresh path from our leaf (when no proposal waits: the committer of those refreshes the epoch anyway).
   */
  private async commit(what: 'proposals' | 'update'): Promise<void> {
    const member = this.member;
    if (member === undefined || !member.active) return;
    // What this commit applies: every proposal received so far (later ones are proposed again next epoch).
    const proposals = member.pendingProposals();
    const waiting = proposals.length > 0;
    if (what === 'proposals' && (!waiting || this.committer !== this.self.participantId)) return;
    if (what === 'update' && (waiting || this.updater(member.epoch) !== this.self.participantId)) return;
    const pending = await member.commit();
    let accepted;
    try {
      accepted = await this.signalling.request('mlsCommit', {
        epoch: Number(pending.epoch),
        commit: b64(pending.commit),
        ...(pending.welcome !== undefined ? { welcome: b64(pending.welcome) } : {}),
        covers: { added: pending.covers.added.map(b64), removed: [...pending.covers.removed] },
        authentication: b64(pending.authentication),
      });
    } catch (error) {
      await member.discardCommit();
      // Another member's commit closed this epoch (it arrives as an mlsCommit notification), or proposals came
      // in and their designated committer commits instead of us.
      if (
        error instanceof SignallingError &&
        (error.code === 'stale_epoch' || error.code === 'not_committer')
      )
        return;
      throw error;
    }
    this.setRoster(accepted.roster);
    await member.confirmCommit();
    await this.enterEpoch();
  }

  /** Derives the new epoch's SFrame keys and hands them to the transform worker. */
  private async enterEpoch(): Promise<void> {
    const member = this.member!;
    const keys = await EpochKeys.fromExporter(member.epochExporter());
    this.keyring.install(keys);
    const own = member.ownLeafIndex;
    const receive = member.members().flatMap((m) => {
      const participantId = m.leafIndex === own ? undefined : this.participantIdAt(m);
      return participantId === undefined
        ? []
        : [{ kid: keys.kidFor(m.leafIndex), baseKey: keys.baseKey.slice(), participantId }];
    });
    this.currentSendKid = keys.kidFor(own);
    this.post({
      type: 'epoch',
      epoch: member.epoch,
      send: { kid: this.currentSendKid, baseKey: keys.baseKey.slice() },
      receive,
    });
    this.scheduleUpdate();
    const members = member.members();
    const changes = this.lastMembers === undefined ? [] : membershipChanges(this.lastMembers, members);
    this.lastMembers = members;
    this.emit('epoch', member.epoch, await member.safetyCode(), members);
    if (changes.length > 0) this.emit('membership', changes);
  }

  /** Members take turns, in leaf order, to commit updates (the SFU sequences only the one whose turn it is). */
  private updater(epoch: bigint): string | undefined {
    const entries = [...this.roster.values()].sort((a, b) => a.leafIndex - b.leafIndex);
    return entries.length === 0 ? undefined : entries[Number(epoch % BigInt(entries.length))]!.participantId;
  }

  /**
   * The participant at a leaf: the SFU's roster entry, accepted only if the tree's credential (room control's
   * statement, verified on entry) names the same user and participant session.
   */
  private participantIdAt(member: MemberInfo): string | undefined {
    const entry = this.roster.get(member.leafIndex);
    const statement = readMemberStatement(member.credential);
    return entry !== undefined &&
      entry.userId === member.userId &&
      entry.participantId === statement?.participantId
      ? entry.participantId
      : undefined;
  }

  /** The key ring erased `epoch`: the worker drops every KID it was given for it. */
  private retireEpoch(epoch: bigint): void {
    const kids = [...this.issuedKids].filter(([, e]) => e === epoch).map(([kid]) => kid);
    for (const kid of kids) this.issuedKids.delete(kid);
    if (kids.length > 0) this.post({ type: 'retire', kids });
  }

  private readonly issuedKids = new Map<bigint, bigint>();
  private currentSendKid: bigint | undefined;

  private post(message: ToWorker): void {
    if (message.type === 'epoch') {
      if (message.send !== null) this.issuedKids.set(message.send.kid, message.epoch);
      for (const r of message.receive) this.issuedKids.set(r.kid, message.epoch);
    }
    this.worker.postMessage(message);
  }

  private async leaveGroup(reason: string): Promise<void> {
    clearTimeout(this.updateTimer);
    this.keyring.clear();
    this.post({ type: 'clear' });
    await this.member?.close();
    this.member = undefined;
    this.emit('removed', reason);
  }

  private setRoster(entries: RosterEntry[]): void {
    this.roster = new Map(entries.map((e) => [e.leafIndex, e]));
  }

  /** MLS state changes one message at a time, in arrival order. */
  private serialised(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue
      .then(() => (this.closed ? undefined : task()))
      .catch((error: unknown) => {
        if (error instanceof MlsError) {
          console.warn('conclave e2ee:', error.code, error.message);
          this.emit('refused', error.code, error.message);
        } else console.warn('conclave e2ee:', error);
      });
    return this.queue;
  }
}

function b64(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
