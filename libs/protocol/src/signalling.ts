import { z } from 'zod';
import { mediaSourceSchema, rightsSchema } from './rights';
import { ERROR_CODES } from './errors';
import { e2eeSuiteSchema, type E2eeSuite } from './e2ee-suite';

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
  /**
   * Raise or lower one's own hand (meeting state, not secret: the SFU keeps it per session and tells everyone).
   * There is no field naming whose hand: only organisers lower someone else's, through room control.
   */
  z.strictObject({ type: z.literal('setHand'), id: requestId, raised: z.boolean() }),
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
  setHand: Record<string, never>;
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
  | { type: 'mlsCreateGroup'; groupId: string }
  /**
   * A participant raised or lowered its hand (itself, or an organiser lowered it: `by` names who). Joiners get one
   * per raised hand right after `join`.
   */
  | { type: 'handChanged'; participantId: string; raised: boolean; by: 'self' | 'organiser' };

export type ServerMessage = ServerResponse | ServerNotification;

// ---------------------------------------------------------------------------------------------------------
// Server → client validation. The SFU is outside the client's trust boundary: every message it sends is
// checked against these schemas before the client acts on it; one that fails is dropped and reported.
// ---------------------------------------------------------------------------------------------------------

const serverId = z.string().min(1).max(128);
const serverText = z.string().max(1024);
const mediaKind = z.enum(['audio', 'video']);
/** mediasoup's parameter objects, checked by mediasoup-client itself; here only their outer shape. */
const serverMediasoupObject = z.record(z.string(), z.unknown());

const peerInfoSchema = z.object({ participantId: serverId, userId: serverId, displayName: serverText });
const producerInfoSchema = z.object({
  producerId: serverId,
  participantId: serverId,
  source: mediaSourceSchema,
  kind: mediaKind,
  paused: z.boolean(),
});
const rosterEntrySchema = z.object({
  leafIndex: z.number().int().min(0).max(100_000),
  participantId: serverId,
  userId: serverId,
  signatureKey: binary(1024).optional(),
});
const roster = z.array(rosterEntrySchema).max(10_000);
const epochNumber = z.number().int().min(0);
const empty = z.object({});

/** What each request's successful response carries, checked before the caller sees it. */
export const responseDataSchemas = {
  hello: z.object({
    participantId: serverId,
    userId: serverId,
    roomId: serverId,
    rights: rightsSchema,
    routerRtpCapabilities: serverMediasoupObject,
    e2ee: z.object({
      groupId: binary(256),
      suite: e2eeSuiteSchema,
      externalSenderKey: binary(4096),
      epoch: epochNumber.nullable(),
      updateIntervalMs: z.number().int().min(1),
    }),
  }),
  join: z.object({
    peers: z.array(peerInfoSchema).max(10_000),
    producers: z.array(producerInfoSchema).max(100_000),
  }),
  createTransport: z.discriminatedUnion('transport', [
    z.object({
      transport: z.literal('webrtc'),
      transportId: serverId,
      iceParameters: serverMediasoupObject,
      iceCandidates: z.array(serverMediasoupObject).max(64),
      dtlsParameters: serverMediasoupObject,
    }),
    z.object({
      transport: z.literal('plain'),
      transportId: serverId,
      ip: z.union([z.ipv4(), z.ipv6()]),
      port: z.number().int().min(1).max(65535),
    }),
  ]),
  connectTransport: empty,
  connectPlainTransport: empty,
  restartIce: z.object({ iceParameters: serverMediasoupObject }),
  produce: z.object({ producerId: serverId }),
  closeProducer: empty,
  pauseProducer: empty,
  resumeProducer: empty,
  consume: z.object({
    consumerId: serverId,
    producerId: serverId,
    participantId: serverId,
    source: mediaSourceSchema,
    kind: mediaKind,
    rtpParameters: serverMediasoupObject,
  }),
  resumeConsumer: empty,
  pauseConsumer: empty,
  requestKeyFrame: z.object({ requested: z.boolean() }),
  setConsumerTile: z.object({ spatialLayer: z.number().int().min(0).max(3) }),
  setConsumerLayers: empty,
  mlsKeyPackage: empty,
  mlsCommit: z.object({ epoch: epochNumber, roster }),
  mlsGroupCreated: z.object({ epoch: epochNumber }),
  mlsApplication: empty,
  mlsRejoin: empty,
  leave: empty,
  setHand: empty,
} satisfies { [T in ClientRequestType]: z.ZodType<ResponseDataMap[T]> };

const layer = z.number().int().min(0).max(3).nullable();

export const serverNotificationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('peerJoined'), peer: peerInfoSchema }),
  z.object({ type: z.literal('peerLeft'), participantId: serverId }),
  z.object({ type: z.literal('producerAdded'), producer: producerInfoSchema }),
  z.object({
    type: z.literal('producerClosed'),
    producerId: serverId,
    reason: z.enum(['closed', 'right-revoked', 'left', 'media-reset']),
  }),
  z.object({ type: z.literal('producerPaused'), producerId: serverId, paused: z.boolean() }),
  z.object({ type: z.literal('consumerClosed'), consumerId: serverId }),
  z.object({
    type: z.literal('consumerLayers'),
    consumerId: serverId,
    spatialLayer: layer,
    temporalLayer: layer,
  }),
  z.object({ type: z.literal('activeSpeaker'), participantId: serverId.nullable() }),
  z.object({ type: z.literal('rightsChanged'), rights: rightsSchema }),
  z.object({ type: z.literal('mediaReset'), reason: z.enum(['worker-restarted']) }),
  z.object({ type: z.literal('removed'), reason: z.enum(['removed-by-organiser', 'room-ended']) }),
  z.object({
    type: z.literal('mlsProposal'),
    message: binary(64 * 1024),
    epoch: epochNumber,
    committer: serverId,
    change: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('add'),
        participantId: serverId,
        userId: serverId,
        signatureKey: binary(1024),
      }),
      z.object({
        type: z.literal('remove'),
        participantId: serverId,
        userId: serverId,
        leafIndex: z.number().int().min(0).max(100_000),
      }),
    ]),
  }),
  z.object({ type: z.literal('mlsCommitter'), epoch: epochNumber, committer: serverId }),
  z.object({
    type: z.literal('mlsCommit'),
    epoch: epochNumber,
    message: binary(256 * 1024),
    from: serverId,
    roster,
  }),
  z.object({ type: z.literal('mlsWelcome'), welcome: binary(384 * 1024), epoch: epochNumber, roster }),
  z.object({ type: z.literal('mlsApplication'), from: serverId, message: binary(64 * 1024) }),
  z.object({ type: z.literal('mlsCreateGroup'), groupId: binary(256) }),
  z.object({
    type: z.literal('handChanged'),
    participantId: serverId,
    raised: z.boolean(),
    by: z.enum(['self', 'organiser']),
  }),
]);

/** A response's envelope; its `data` is checked against `responseDataSchemas` of the request it answers. */
export const serverResponseSchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: requestId, ok: z.literal(true), data: z.unknown() }),
  z.object({
    type: z.literal('response'),
    id: requestId.nullable(),
    ok: z.literal(false),
    error: errorBodySchema,
  }),
]);

// Both directions of the contract stay one: the schemas produce exactly the hand-written server types.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const notificationsMatch: Exactly<z.infer<typeof serverNotificationSchema>, ServerNotification> = true;
void notificationsMatch;

/**
 * WebSocket close codes the SFU uses for the signalling connection (RFC 6455 §7.4.2 private range); any other
 * close is a lost connection the client may recover from by joining again with a fresh ticket.
 */
export const SIGNALLING_CLOSE_CODES = {
  helloTimeout: 4001,
  /** A newer connection of the same participant session took over. */
  replaced: 4002,
  /** Removed by an organiser, or the meeting ended. */
  removed: 4003,
  shutdown: 4004,
  /** `hello` was refused (its refusal code came with the answer). */
  helloRefused: 4005,
  tooManyConnections: 4007,
} as const;
