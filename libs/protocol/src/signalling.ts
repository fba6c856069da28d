import { z } from 'zod';
import { mediaSourceSchema, rightsSchema } from './rights';
import { ERROR_CODES } from './errors';
import type { E2eeSuite } from './e2ee-suite';

/**
 * Version of the signalling protocol. The client states it in `hello`; the SFU refuses other versions with
 * `unsupported_protocol_version` so an old client never half-works against a new server.
 * 2: MLS groups name the SFU in `external_senders` as RFC 9420 §12.1.8.1's vector (version 1 clients wrote
 * ts-mls's single-sender form; the two cannot share a group).
 */
export const PROTOCOL_VERSION = 2;

/** Largest signalling message accepted, in bytes (an MLS Welcome with its ratchet tree for 100 members fits). */
export const DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024;

const requestId = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
const objectId = z.string().min(1).max(64);
/** mediasoup's own parameter objects are validated by mediasoup; here only their outer shape. */
const mediasoupObject = z.record(z.string(), z.unknown());
/** Opaque binary (MLS messages, key packages), base64url. */
const binary = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil((maxBytes * 4) / 3) + 4)
    .regex(/^[A-Za-z0-9_-]*$/, 'base64url');

// ---------------------------------------------------------------------------------------------------------
// Client → server requests. Every request has an `id`; the server answers with a `response` of the same id.
// ---------------------------------------------------------------------------------------------------------

export const clientRequestSchema = z.discriminatedUnion('type', [
  /** First message: protocol version and the join ticket issued by the room-control service. */
  z.strictObject({
    type: z.literal('hello'),
    id: requestId,
    protocolVersion: z.number().int(),
    ticket: z.string().min(16).max(8192),
  }),
  /** The client's receive capabilities, once its mediasoup Device is loaded. */
  z.strictObject({ type: z.literal('join'), id: requestId, rtpCapabilities: mediasoupObject }),
  z.strictObject({
    type: z.literal('createTransport'),
    id: requestId,
    direction: z.enum(['send', 'recv']),
    /** `plain` (RTP without DTLS/ICE) exists for tests and benchmarks and is refused unless configured. */
    transport: z.enum(['webrtc', 'plain']).default('webrtc'),
  }),
  z.strictObject({
    type: z.literal('connectTransport'),
    id: requestId,
    transportId: objectId,
    dtlsParameters: mediasoupObject,
  }),
  z.strictObject({
    type: z.literal('connectPlainTransport'),
    id: requestId,
    transportId: objectId,
    ip: z.union([z.ipv4(), z.ipv6()]),
    port: z.number().int().min(1).max(65535),
  }),
  z.strictObject({ type: z.literal('restartIce'), id: requestId, transportId: objectId }),
  z.strictObject({
    type: z.literal('produce'),
    id: requestId,
    transportId: objectId,
    source: mediaSourceSchema,
    kind: z.enum(['audio', 'video']),
    rtpParameters: mediasoupObject,
  }),
  z.strictObject({ type: z.literal('closeProducer'), id: requestId, producerId: objectId }),
  z.strictObject({ type: z.literal('pauseProducer'), id: requestId, producerId: objectId }),
  z.strictObject({ type: z.literal('resumeProducer'), id: requestId, producerId: objectId }),
  /** Receive one producer; the consumer starts paused until `resumeConsumer`. */
  z.strictObject({ type: z.literal('consume'), id: requestId, transportId: objectId, producerId: objectId }),
  z.strictObject({ type: z.literal('resumeConsumer'), id: requestId, consumerId: objectId }),
  z.strictObject({ type: z.literal('pauseConsumer'), id: requestId, consumerId: objectId }),
  /**
   * Ask the sender of a video consumer for a keyframe (e.g. the first E2EE keys just arrived and the frames
   * before them were dropped). Coalesced per consumer: `requested` is false when one was asked very recently.
   */
  z.strictObject({ type: z.literal('requestKeyFrame'), id: requestId, consumerId: objectId }),
  /** Receiver-driven layer selection: the size of the tile showing this consumer, in CSS pixels. */
  z.strictObject({
    type: z.literal('setConsumerTile'),
    id: requestId,
    consumerId: objectId,
    width: z.number().int().min(0).max(16384),
    height: z.number().int().min(0).max(16384),
  }),
  z.strictObject({
    type: z.literal('setConsumerLayers'),
    id: requestId,
    consumerId: objectId,
    spatialLayer: z.number().int().min(0).max(3),
    temporalLayer: z.number().int().min(0).max(3).optional(),
  }),
  /** MLS: this session's fresh key package; relayed only if its credential names the ticket's user. */
  z.strictObject({ type: z.literal('mlsKeyPackage'), id: requestId, keyPackage: binary(64 * 1024) }),
  /**
   * MLS: a commit for `epoch`, with the Welcome for members it adds. Only the member the SFU designated may
   * commit (`not_committer` otherwise); one for a closed epoch is refused with `stale_epoch`. `covers` names
   * the SFU's proposals the commit applies (adds by the joiner's signature key, removes by leaf): a proposal
   * that arrived while the commit was being made is not in it, and the SFU proposes it again in the next epoch.
   * `authentication` is the committer's MLS leaf signature over the group id, epoch, commit, Welcome and
   * `covers` (docs/security/e2ee.md), checked by the SFU before it sequences the commit.
   */
  z.strictObject({
    type: z.literal('mlsCommit'),
    id: requestId,
    epoch: z.number().int().min(0),
    commit: binary(256 * 1024),
    welcome: binary(384 * 1024).optional(),
    covers: z.strictObject({
      added: z.array(binary(1024)).max(1000),
      removed: z.array(z.number().int().min(0).max(100_000)).max(1000),
    }),
    authentication: binary(4096),
  }),
  /**
   * MLS: the first participant created the group (epoch 0, itself alone) and shows its key package, so the
   * SFU can vouch for its credential and signature key to those who join later.
   */
  z.strictObject({ type: z.literal('mlsGroupCreated'), id: requestId, keyPackage: binary(64 * 1024) }),
  /** MLS application message (in-meeting chat), end-to-end encrypted; the server relays, never stores. */
  z.strictObject({ type: z.literal('mlsApplication'), id: requestId, message: binary(64 * 1024) }),
  /**
   * MLS: this member could not process the commit (or Welcome) that opened `epoch` (`commit-unprocessable`),
   * or found the group past `epoch` (`cannot-follow`); it dropped its state and asks to be added again with a
   * fresh key package. The SFU removes its old leaf; an unprocessable commit counts against its committer.
   */
  z.strictObject({
    type: z.literal('mlsRejoin'),
    id: requestId,
    epoch: z.number().int().min(0),
    reason: z.enum(['commit-unprocessable', 'cannot-follow']),
    keyPackage: binary(64 * 1024),
  }),
  z.strictObject({ type: z.literal('leave'), id: requestId }),
]);

export type ClientRequest = z.infer<typeof clientRequestSchema>;
export type ClientRequestType = ClientRequest['type'];
export type ClientRequestOf<T extends ClientRequestType> = Extract<ClientRequest, { type: T }>;

// ---------------------------------------------------------------------------------------------------------
// Server → client: responses and notifications.
// ---------------------------------------------------------------------------------------------------------

export interface PeerInfo {
  participantId: string;
  userId: string;
  displayName: string;
}

export interface ProducerInfo {
  producerId: string;
  participantId: string;
  source: z.infer<typeof mediaSourceSchema>;
  kind: 'audio' | 'video';
  paused: boolean;
}

/** What the SFU tells a participant about the meeting's E2EE group. */
export interface E2eeInfo {
  /** MLS group id (base64url), one per meeting. */
  groupId: string;
  /** The meeting's MLS cipher suite (set by the room's security setting). */
  suite: E2eeSuite;
  /** The SFU's external-sender signature public key (base64url), RFC 9420 §12.1.8.1. */
  externalSenderKey: string;
  /** Current epoch, or null when no group exists yet (this participant must create it). */
  epoch: number | null;
  /**
   * After this long (±25 %) without a new epoch, a member commits an update of its own leaf (an empty commit
   * with a fresh path, RFC 9420 §12.4): the group's secrets heal (post-compromise security) and no SFrame key
   * protects a whole meeting.
   */
  updateIntervalMs: number;
}

/**
 * Who the SFU (as MLS delivery service) placed at a leaf of the group's tree. Clients accept an entry only if
 * the credential at that leaf in their own copy of the tree names the same user.
 */
export interface RosterEntry {
  leafIndex: number;
  participantId: string;
  userId: string;
  /** The member's MLS signature public key (base64url), as its key package carried it. */
  signatureKey?: string;
}

/** What an external proposal of the SFU changes, so members can check it before committing it. */
export type ProposedChange =
  | { type: 'add'; participantId: string; userId: string; signatureKey: string }
  | { type: 'remove'; participantId: string; userId: string; leafIndex: number };

/** Typed results, one per request type. */
export interface ResponseDataMap {
  hello: {
    participantId: string;
    userId: string;
    roomId: string;
    rights: z.infer<typeof rightsSchema>;
    routerRtpCapabilities: Record<string, unknown>;
    e2ee: E2eeInfo;
  };
  join: { peers: PeerInfo[]; producers: ProducerInfo[] };
  createTransport:
    | {
        transport: 'webrtc';
        transportId: string;
        iceParameters: Record<string, unknown>;
        iceCandidates: Record<string, unknown>[];
        dtlsParameters: Record<string, unknown>;
      }
    | { transport: 'plain'; transportId: string; ip: string; port: number };
  connectTransport: Record<string, never>;
  connectPlainTransport: Record<string, never>;
  restartIce: { iceParameters: Record<string, unknown> };
  produce: { producerId: string };
  closeProducer: Record<string, never>;
  pauseProducer: Record<string, never>;
  resumeProducer: Record<string, never>;
  consume: {
    consumerId: string;
    producerId: string;
    participantId: string;
    source: z.infer<typeof mediaSourceSchema>;
    kind: 'audio' | 'video';
    rtpParameters: Record<string, unknown>;
  };
  resumeConsumer: Record<string, never>;
  pauseConsumer: Record<string, never>;
  requestKeyFrame: { requested: boolean };
  setConsumerTile: { spatialLayer: number };
  setConsumerLayers: Record<string, never>;
  mlsKeyPackage: Record<string, never>;
  /** The new epoch and who sits at each leaf from then on (the committer needs it as much as the others). */
  mlsCommit: { epoch: number; roster: RosterEntry[] };
  mlsGroupCreated: { epoch: number };
  mlsApplication: Record<string, never>;
  mlsRejoin: Record<string, never>;
  leave: Record<string, never>;
}

export const errorBodySchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

export type ServerResponse =
  | { type: 'response'; id: number; ok: true; data: unknown }
  | { type: 'response'; id: number | null; ok: false; error: z.infer<typeof errorBodySchema> };

/** Why a participant's media was reset and must be re-established. */
export type MediaResetReason = 'worker-restarted';

export type ServerNotification =
  | { type: 'peerJoined'; peer: PeerInfo }
  | { type: 'peerLeft'; participantId: string }
  | { type: 'producerAdded'; producer: ProducerInfo }
  | {
      type: 'producerClosed';
      producerId: string;
      reason: 'closed' | 'right-revoked' | 'left' | 'media-reset';
    }
  | { type: 'producerPaused'; producerId: string; paused: boolean }
  | { type: 'consumerClosed'; consumerId: string }
  | { type: 'consumerLayers'; consumerId: string; spatialLayer: number | null; temporalLayer: number | null }
  | { type: 'activeSpeaker'; participantId: string | null }
  | { type: 'rightsChanged'; rights: z.infer<typeof rightsSchema> }
  /** The participant's media must be set up again (transports, producers, consumers); the session stays. */
  | { type: 'mediaReset'; reason: MediaResetReason }
  | { type: 'removed'; reason: 'removed-by-organiser' | 'room-ended' }
  /** An external proposal from the SFU; `committer` is the member expected to commit it (others wait). */
  | { type: 'mlsProposal'; message: string; epoch: number; committer: string; change: ProposedChange }
  /**
   * The designated committer of `epoch` did not commit its proposals in time: `committer` commits them instead
   * (the first valid commit of the epoch still wins).
   */
  | { type: 'mlsCommitter'; epoch: number; committer: string }
  /** A commit moved the group to `epoch`; `roster` is who sits at each leaf from then on. */
  | { type: 'mlsCommit'; epoch: number; message: string; from: string; roster: RosterEntry[] }
  | { type: 'mlsWelcome'; welcome: string; epoch: number; roster: RosterEntry[] }
  | { type: 'mlsApplication'; from: string; message: string }
  /**
   * Members must re-form the group (e.g. the group's only member left before anyone joined) under the new
   * `groupId` (base64url): the old group's id is never reused.
   */
  | { type: 'mlsCreateGroup'; groupId: string };

export type ServerMessage = ServerResponse | ServerNotification;
