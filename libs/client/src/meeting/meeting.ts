import type { MemberInfo } from '@conclave/e2ee';
import type { E2eeInfo, IceServers, MediaSource, ResponseDataMap, Right } from '@conclave/protocol';
import { Conference, type RemoteTrack } from '../conference';
import { E2eeSession, type ChatMessage } from '../e2ee/e2ee-session';
import type { MemberIdentitySource } from '../e2ee/member-identity';
import type { MembershipChange, RosterPerson } from '../e2ee/roster';
import type { FromWorker, ParticipantE2eeState } from '../e2ee/worker-protocol';
import { Emitter } from '../emitter';
import { SignallingClient, type InvalidServerMessage, type WebSocketLike } from '../signalling-client';
import {
  MeetingLifecycle,
  type LifecycleAction,
  type LifecycleInput,
  type LifecycleOptions,
  type MeetingEndReason,
  type MeetingPhase,
} from './meeting-lifecycle';
import { ticketGrant, type TicketGrant } from './ticket-grant';

export type { TicketGrant } from './ticket-grant';

export interface JoinMeetingOptions {
  /** The SFU's signalling URL (`wss://…`), from room control's ticket response. */
  signallingUrl: string;
  /** The first join ticket; without it, `fetchTicket` is asked for one. */
  ticket?: string;
  /** The ICE servers room control gave with the first ticket (its `iceServers`); checked against the contract. */
  iceServers?: IceServers;
  /**
   * A fresh join ticket for this participant session (room control issues one to an admitted session), with the
   * ICE servers that came with it. Called before every rejoin; a rejection with a `code` property (e.g.
   * `not_admitted`) ends the meeting with it.
   */
  fetchTicket: () => Promise<string | TicketGrant>;
  /** `relay`: media only through the appliance's TURN relay; `all` (the browser's default) otherwise. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Where this session's MLS credential and room control's credential keys come from. */
  identity: MemberIdentitySource;
  /**
   * The E2EE transform worker (`libs/client/src/e2ee/transform-worker.ts`, bundled). Owned by the caller and
   * kept for the whole meeting; the Meeting erases its keys (`clear`) on every exit.
   */
  worker: Worker;
  /** Opens the signalling WebSocket (default: the browser's `WebSocket`). */
  openSocket?: (url: string) => WebSocketLike;
  /** Rejoin attempts and backoff after a lost connection. */
  reconnect?: LifecycleOptions;
}

/** Who this client is in the meeting, as the SFU accepted its ticket. */
export interface MeetingSelf {
  participantId: string;
  userId: string;
  roomId: string;
  rights: Right[];
}

export interface MeetingEvents {
  /** The phase changed: joining → joined → reconnecting → joined | ended. */
  phase: (phase: MeetingPhase) => void;
  /** The SFU accepted a ticket (every join and rejoin). */
  hello: (self: MeetingSelf) => void;
  /** The group moved to a new epoch: new keys, a new safety code, the group's members. */
  epoch: (epoch: bigint, safetyCode: string, members: MemberInfo[]) => void;
  /** The people in the encrypted group (display names and device counts from room control's credentials). */
  participants: (people: RosterPerson[]) => void;
  /** Members joined or left the group (to announce). */
  membership: (changes: MembershipChange[]) => void;
  trackAdded: (track: RemoteTrack) => void;
  trackRemoved: (consumerId: string) => void;
  activeSpeaker: (participantId: string | null) => void;
  /** What the transform worker can do with a member's media now. */
  e2eeState: (participantId: string, state: ParticipantE2eeState) => void;
  /** The transform worker's frame counters (periodic). */
  counters: (counters: Extract<FromWorker, { type: 'counters' }>) => void;
  /** The transform worker dropped media it could not protect or open. */
  workerError: (error: Omit<Extract<FromWorker, { type: 'error' }>, 'type'>) => void;
  /** A chat message (ours too, once the SFU relayed it). */
  chat: (message: ChatMessage) => void;
  rightsChanged: (rights: Right[]) => void;
  /** The SFU lost this session's media (worker restart); it is being set up again. */
  mediaReset: () => void;
  /** An MLS message was refused (e.g. `credential_rejected`); the group is unchanged. */
  e2eeRefused: (code: string, message: string) => void;
  /** This client lost its MLS leaf (`removed-by-commit`, or it rejoins the group: `commit-unprocessable`…). */
  groupLost: (reason: string) => void;
  /** A server message failed validation and was dropped. */
  invalidMessage: (problem: InvalidServerMessage) => void;
  /** The signalling connection dropped; rejoining (attempt n, after `delayMs`). Keys are already erased. */
  reconnecting: (attempt: number, delayMs: number) => void;
  /** Back in the same meeting with a new connection and a new MLS leaf. */
  reconnected: () => void;
  /** Over for good, keys erased. `detail` is the refusal code for `refused`. */
  ended: (reason: MeetingEndReason, detail?: string) => void;
}

/** One signalling connection and what hangs off it; a rejoin builds a new one. */
interface Connection {
  readonly signalling: SignallingClient;
  readonly conference: Conference;
  readonly e2ee: E2eeSession;
  readonly self: MeetingSelf;
  closing: boolean;
}

/**
 * Joins a meeting: returns at once (attach listeners now), connects in the background; `meeting.joined`
 * settles when the first join completes or fails.
 */
export function joinMeeting(options: JoinMeetingOptions): Meeting {
  return new Meeting(options);
}

/**
 * A meeting as the person sees it: one object that owns the choreography of the SDK's parts — signalling with
 * validated server messages, the MLS join alongside the media transports, keyframe requests when the first keys
 * arrive, key erasure on every exit, and rejoining by itself with a fresh ticket and a new MLS leaf when the
 * signalling connection drops.
 */
export class Meeting extends Emitter<MeetingEvents> {
  /** Settles when the first join completes (or rejects when the meeting ended before). */
  readonly joined: Promise<void>;
  private readonly lifecycle: MeetingLifecycle;
  private connection: Connection | undefined;
  private readonly local = new Map<MediaSource, MediaStreamTrack>();
  private readonly states = new Map<string, ParticipantE2eeState>();
  private lastPhase: MeetingPhase = 'joining';
  private leaving = false;
  private ended: { reason: MeetingEndReason; detail?: string } | undefined;

  constructor(private readonly options: JoinMeetingOptions) {
    super();
    this.lifecycle = new MeetingLifecycle(options.reconnect);
    options.worker.addEventListener('message', (event: MessageEvent<FromWorker>) =>
      this.fromWorker(event.data),
    );
    this.joined = Promise.resolve().then(async () => {
      try {
        await this.attempt(options.ticket);
      } catch (error) {
        this.act(this.lifecycle.apply({ type: 'attempt-failed', ...codeOf(error) }));
        throw error;
      }
    });
    this.joined.catch(() => undefined);
  }

  get phase(): MeetingPhase {
    return this.lifecycle.phase;
  }

  /** Why the meeting ended, once it has. */
  get endReason(): { reason: MeetingEndReason; detail?: string } | undefined {
    return this.ended;
  }

  get self(): MeetingSelf | undefined {
    return this.connection?.self;
  }

  /** The current connection's media (for statistics); replaced on every rejoin. */
  get conference(): Conference | undefined {
    return this.connection?.conference;
  }

  get epoch(): bigint | undefined {
    return this.connection?.e2ee.epoch;
  }

  /** The meeting's MLS cipher suite, once the SFU accepted a ticket. */
  get e2eeSuite(): E2eeInfo['suite'] | undefined {
    return this.connection?.e2ee.suite;
  }

  /** The KID our frames carry in the current epoch (public). */
  get sendKid(): bigint | undefined {
    return this.connection?.e2ee.sendKid;
  }

  /** The encrypted group's people, by user, with display names and device counts. */
  people(): RosterPerson[] {
    return this.connection?.e2ee.people() ?? [];
  }

  /** The transform worker's last word on each member's media. */
  e2eeStates(): ReadonlyMap<string, ParticipantE2eeState> {
    return this.states;
  }

  async safetyCode(): Promise<string | undefined> {
    return this.connection?.e2ee.safetyCode();
  }

  /** Publishes a local track (again after every rejoin) until `unpublish`; it leaves encrypted or not at all. */
  async publish(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    this.local.set(source, track);
    await this.connection?.conference.publish(source, track);
  }

  async unpublish(source: MediaSource): Promise<void> {
    this.local.delete(source);
    await this.connection?.conference.unpublish(source);
  }

  /** Sends a chat message end to end encrypted (an MLS application message); emits it as `chat` once sent. */
  async sendChat(text: string): Promise<void> {
    const connection = this.connection;
    if (connection === undefined || this.phase !== 'joined') throw new Error('not in the meeting');
    await connection.e2ee.sendChat(text);
    this.emit('chat', {
      from: connection.self.participantId,
      userId: connection.self.userId,
      text,
      epoch: connection.e2ee.epoch ?? 0n,
    });
  }

  /** Leaves the meeting: tells the SFU, erases every key, closes the media. Local tracks are the caller's. */
  async leave(): Promise<void> {
    const connection = this.connection;
    // The SFU may close the connection as it answers: that close is not a lost connection.
    this.leaving = true;
    if (connection !== undefined && this.phase === 'joined') {
      await Promise.race([
        connection.signalling.request('leave', {}).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 1000)),
      ]);
    }
    this.act(this.lifecycle.apply({ type: 'leave' }));
  }

  // ------------------------------------------------------------------------------------------------------

  /** One join: hello with the ticket, then the MLS join while the transports connect, then our tracks. */
  private async attempt(ticket: string | undefined): Promise<void> {
    const signalling = await SignallingClient.connect(
      (this.options.openSocket ?? ((url) => new WebSocket(url)))(this.options.signallingUrl),
    );
    let connection: Connection | undefined;
    try {
      signalling.onInvalidMessage((problem) => this.emit('invalidMessage', problem));
      const grant = ticketGrant(
        ticket !== undefined
          ? { ticket, iceServers: this.options.iceServers }
          : await this.options.fetchTicket(),
      );
      const hello = await signalling.hello(grant.ticket);
      connection = this.connectionFor(signalling, hello, grant.iceServers);
      this.connection = connection;
      this.emit('hello', connection.self);
      await Promise.all([connection.conference.start(), connection.e2ee.start()]);
      for (const [source, track] of this.local) await connection.conference.publish(source, track);
    } catch (error) {
      if (connection !== undefined) await this.teardown(connection);
      else signalling.close();
      throw error;
    }
    if (this.lifecycle.phase === 'ended') return this.teardown(connection);
    const rejoined = this.lifecycle.phase === 'reconnecting';
    this.act(this.lifecycle.apply({ type: 'connected' }));
    if (rejoined) this.emit('reconnected');
  }

  private connectionFor(
    signalling: SignallingClient,
    hello: ResponseDataMap['hello'],
    iceServers: IceServers | undefined,
  ): Connection {
    const self: MeetingSelf = {
      participantId: hello.participantId,
      userId: hello.userId,
      roomId: hello.roomId,
      rights: hello.rights,
    };
    const e2ee = new E2eeSession(
      signalling,
      this.options.worker,
      { participantId: hello.participantId, userId: hello.userId },
      hello.e2ee,
      this.options.identity,
    );
    const conference = new Conference(signalling, hello, this.options.worker, {
      ...(iceServers !== undefined ? { iceServers: iceServers.iceServers } : {}),
      ...(this.options.iceTransportPolicy !== undefined
        ? { iceTransportPolicy: this.options.iceTransportPolicy }
        : {}),
    });
    const connection: Connection = { signalling, conference, e2ee, self, closing: false };
    const live = () => this.connection === connection && !connection.closing;
    let keyed = false;
    e2ee.on('epoch', (epoch, safetyCode, members) => {
      if (!live()) return;
      // Frames that arrived before this connection's first keys were dropped: ask the senders for a keyframe.
      if (!keyed) void conference.requestKeyFrames();
      keyed = true;
      this.emit('epoch', epoch, safetyCode, members);
      this.emit('participants', e2ee.people());
    });
    e2ee.on('membership', (changes) => live() && this.emit('membership', changes));
    e2ee.on('chat', (message) => live() && this.emit('chat', message));
    e2ee.on('refused', (code, message) => live() && this.emit('e2eeRefused', code, message));
    e2ee.on('removed', (reason) => live() && this.emit('groupLost', reason));
    conference.on('trackAdded', (track) => live() && this.emit('trackAdded', track));
    conference.on('trackRemoved', (consumerId) => live() && this.emit('trackRemoved', consumerId));
    conference.on('activeSpeaker', (participantId) => live() && this.emit('activeSpeaker', participantId));
    conference.on('mediaReset', () => live() && this.emit('mediaReset'));
    conference.on('removed', (reason) => {
      if (!live()) return;
      this.act(
        this.lifecycle.apply({ type: 'removed', reason: reason as 'removed-by-organiser' | 'room-ended' }),
      );
    });
    signalling.on('rightsChanged', ({ rights }) => {
      if (!live()) return;
      connection.self.rights = rights;
      this.emit('rightsChanged', rights);
    });
    signalling.onClose((code) => {
      // A close we asked for, or one during an attempt (that attempt fails and the lifecycle decides).
      if (!live() || this.leaving || this.lifecycle.phase !== 'joined') return;
      this.act(this.lifecycle.apply({ type: 'connection-lost', code }));
    });
    return connection;
  }

  private act(action: LifecycleAction): void {
    if (this.lifecycle.phase !== this.lastPhase) this.emit('phase', (this.lastPhase = this.lifecycle.phase));
    if (action.type === 'reconnect') {
      const lost = this.connection;
      // Out of the group and off the media at once: every key goes before we try again.
      if (lost !== undefined && !lost.closing) void this.teardown(lost);
      this.emit('reconnecting', action.attempt, action.delayMs);
      setTimeout(() => void this.reattempt(), action.delayMs);
    } else if (action.type === 'end') {
      this.ended = {
        reason: action.reason,
        ...(action.detail !== undefined ? { detail: action.detail } : {}),
      };
      if (this.connection !== undefined) void this.teardown(this.connection);
      // No connection left to clear keys through: the worker is told directly.
      this.options.worker.postMessage({ type: 'clear' });
      this.emit('ended', action.reason, action.detail);
    }
  }

  private async reattempt(): Promise<void> {
    if (this.lifecycle.phase !== 'reconnecting') return;
    try {
      await this.attempt(undefined);
    } catch (error) {
      this.act(this.lifecycle.apply({ type: 'attempt-failed', ...codeOf(error) } as LifecycleInput));
    }
  }

  /** Erases the connection's keys (keyring and worker), closes its media and its signalling. */
  private async teardown(connection: Connection): Promise<void> {
    if (connection.closing) return;
    connection.closing = true;
    connection.conference.close();
    connection.signalling.close();
    await connection.e2ee.close().catch(() => undefined);
  }

  private fromWorker(message: FromWorker): void {
    if (message.type === 'counters') this.emit('counters', message);
    else if (message.type === 'error') {
      const { code, message: text, participantId } = message;
      this.emit('workerError', {
        code,
        message: text,
        ...(participantId !== undefined ? { participantId } : {}),
      });
    } else if (message.type === 'state') {
      this.states.set(message.participantId, message.state);
      this.emit('e2eeState', message.participantId, message.state);
    }
  }
}

/** The stable code of a refusal (signalling, room control, MLS), when the error carries one. */
function codeOf(error: unknown): { code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { code } : {};
}
