import { EventEmitter } from 'node:events';
import { errors as mediasoupErrors, type types } from 'mediasoup';
import {
  kindForSource,
  rightForSource,
  type MediaSource,
  type ProducerInfo,
  type ResponseDataMap,
  type Right,
  type ServerNotification,
} from '@conclave/protocol';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type Logger,
} from '@conclave/server-kit';
import { isLoopbackAddress } from '../media/loopback';
import { ROUTER_MEDIA_CODECS } from '../media/media-codecs';
import { EncodedNotification } from '../signalling/encoded-message';
import type { PooledWorker } from '../media/worker-pool';
import type { SfuMetrics } from '../metrics';
import { PARTICIPANT_LIMITS, type Participant } from './participant';

export interface RoomMediaOptions {
  initialAvailableOutgoingBitrate: number;
  maxIncomingBitrate: number;
  plainTransport: { enabled: boolean; listenIp: string };
  layerThresholds: { low: number; medium: number };
  maxParticipants: number;
  /** Consumers one participant may hold at once, all producers together. */
  maxConsumersPerParticipant: number;
}

export interface RoomEvents {
  /** The last participant left or the room was ended. */
  closed: [];
  /** A participant left the room (any reason); `reason` says why. */
  participantLeft: [participant: Participant, reason: 'left' | 'removed' | 'replaced' | 'ended'];
}

type CreateTransportResult = ResponseDataMap['createTransport'];

/** Keyframe requests from one receiver reach the sender at most this often. */
const KEYFRAME_REQUEST_INTERVAL_MS = 1000;

/**
 * One meeting's media: a mediasoup router on one worker, its participants and their rights. Every right is
 * checked here, on the server, when producing and consuming, and re-applied at once when it changes.
 */
export class Room extends EventEmitter<RoomEvents> {
  readonly participants = new Map<string, Participant>();
  private router!: types.Router;
  private speakerObserver!: types.ActiveSpeakerObserver;
  /** The last dominant speaker, told to whoever joins later (the observer only reports changes). */
  private dominantSpeaker: string | null = null;
  private closed = false;

  private constructor(
    readonly id: string,
    private worker: PooledWorker,
    private readonly options: RoomMediaOptions,
    private readonly metrics: SfuMetrics,
    private readonly log: Logger,
  ) {
    super();
  }

  static async create(
    id: string,
    worker: PooledWorker,
    options: RoomMediaOptions,
    metrics: SfuMetrics,
    log: Logger,
  ): Promise<Room> {
    const room = new Room(id, worker, options, metrics, log.child({ room: id }));
    await room.attachRouter(worker);
    return room;
  }

  get routerRtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  get workerIndex(): number {
    return this.worker.index;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Admits a participant whose ticket was verified; an existing session with the same id is replaced. */
  admit(participant: Participant): void {
    if (this.closed) throw new ConflictError('invalid_state', 'the meeting has ended');
    const previous = this.participants.get(participant.id);
    if (previous !== undefined) this.leave(previous, 'replaced');
    if (this.participants.size >= this.options.maxParticipants) {
      throw new ConflictError('room_full', 'the meeting is full');
    }
    this.participants.set(participant.id, participant);
    this.metrics.participants.inc();
  }

  /** Makes the participant visible to the others and tells it who and what is there. */
  join(participant: Participant, rtpCapabilities: types.RtpCapabilities): ResponseDataMap['join'] {
    this.assertMember(participant);
    if (participant.joined) throw new ConflictError('already_joined', 'already joined');
    participant.rtpCapabilities = rtpCapabilities;
    participant.joined = true;
    const peers = this.others(participant).map((p) => p.info());
    const producers = this.others(participant).flatMap((p) => this.producerInfos(p));
    this.broadcast({ type: 'peerJoined', peer: participant.info() }, participant);
    if (this.dominantSpeaker !== null)
      participant.notify({ type: 'activeSpeaker', participantId: this.dominantSpeaker });
    for (const other of this.others(participant))
      if (other.handRaised)
        participant.notify({ type: 'handChanged', participantId: other.id, raised: true, by: 'self' });
    return { peers, producers };
  }

  leave(participant: Participant, reason: 'left' | 'removed' | 'replaced' | 'ended'): void {
    if (this.participants.get(participant.id) !== participant) return;
    this.participants.delete(participant.id);
    this.metrics.participants.dec();
    participant.closeMedia();
    if (this.dominantSpeaker === participant.id) this.dominantSpeaker = null;
    if (participant.joined) this.broadcast({ type: 'peerLeft', participantId: participant.id });
    this.emit('participantLeft', participant, reason);
    if (reason !== 'left') participant.disconnect(reason);
    if (this.participants.size === 0 && reason !== 'replaced') this.close();
  }

  async createTransport(
    participant: Participant,
    direction: 'send' | 'recv',
    kind: 'webrtc' | 'plain',
  ): Promise<CreateTransportResult> {
    this.assertMember(participant);
    if (participant.transports.size >= PARTICIPANT_LIMITS.transports) {
      throw new ConflictError('invalid_state', 'too many transports');
    }
    const appData = { participantId: participant.id, direction, kind };
    if (kind === 'plain') {
      if (!this.options.plainTransport.enabled) {
        throw new ForbiddenError('forbidden', 'plain RTP transports are disabled on this server');
      }
      const transport = await this.router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: this.options.plainTransport.listenIp },
        rtcpMux: true,
        comedia: direction === 'send',
        appData,
      });
      this.track(participant, transport);
      return {
        transport: 'plain',
        transportId: transport.id,
        ip: transport.tuple.localAddress ?? transport.tuple.localIp,
        port: transport.tuple.localPort,
      };
    }
    const transport = await this.router.createWebRtcTransport({
      webRtcServer: this.worker.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.options.initialAvailableOutgoingBitrate,
      appData,
    });
    if (direction === 'send') await transport.setMaxIncomingBitrate(this.options.maxIncomingBitrate);
    this.track(participant, transport);
    return {
      transport: 'webrtc',
      transportId: transport.id,
      iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
      iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
      dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
    };
  }

  async connectTransport(
    participant: Participant,
    transportId: string,
    dtlsParameters: unknown,
  ): Promise<void> {
    const transport = this.transportOf(participant, transportId, 'webrtc');
    await mediaCall(() =>
      (transport as types.WebRtcTransport).connect({
        dtlsParameters: dtlsParameters as types.DtlsParameters,
      }),
    );
  }

  async connectPlainTransport(
    participant: Participant,
    transportId: string,
    ip: string,
    port: number,
  ): Promise<void> {
    const transport = this.transportOf(participant, transportId, 'plain');
    // Plain RTP has no consent check (no ICE): anywhere but loopback would make the SFU a UDP reflector.
    if (!isLoopbackAddress(ip)) {
      throw new ForbiddenError('address_not_allowed', 'plain RTP transports only send to loopback');
    }
    await mediaCall(() => (transport as types.PlainTransport).connect({ ip, port }));
  }

  async restartIce(participant: Participant, transportId: string): Promise<ResponseDataMap['restartIce']> {
    const transport = this.transportOf(participant, transportId, 'webrtc');
    const iceParameters = await mediaCall(() => (transport as types.WebRtcTransport).restartIce());
    return { iceParameters: iceParameters as unknown as Record<string, unknown> };
  }

  async produce(
    participant: Participant,
    transportId: string,
    source: MediaSource,
    kind: 'audio' | 'video',
    rtpParameters: unknown,
  ): Promise<string> {
    this.assertJoined(participant);
    const right = rightForSource(source);
    if (!participant.has(right)) throw new ForbiddenError('right_missing', `missing right ${right}`);
    assertNotOrganiserPaused(participant, source);
    if (kind !== kindForSource(source))
      throw new BadRequestError('bad_request', `${source} carries ${kindForSource(source)}`);
    if ([...participant.producers.values()].some((p) => p.source === source)) {
      throw new ConflictError('invalid_state', `a ${source} producer exists already`);
    }
    if (participant.producers.size >= PARTICIPANT_LIMITS.producers) {
      throw new ConflictError('invalid_state', 'too many producers');
    }
    const transport = this.transportOf(participant, transportId);
    if (transport.appData.direction !== 'send')
      throw new BadRequestError('bad_request', 'not a send transport');
    const producer = await mediaCall(() =>
      transport.produce({
        kind,
        rtpParameters: rtpParameters as types.RtpParameters,
        appData: { source, participantId: participant.id },
      }),
    );
    participant.producers.set(producer.id, { producer, source });
    this.metrics.producers.inc({ kind });
    producer.observer.once('close', () => {
      participant.producers.delete(producer.id);
      this.metrics.producers.dec({ kind });
    });
    if (kind === 'audio' && source === 'microphone') {
      void this.speakerObserver.addProducer({ producerId: producer.id }).catch(() => undefined);
    }
    this.broadcast(
      { type: 'producerAdded', producer: this.producerInfo(participant, producer, source) },
      participant,
    );
    return producer.id;
  }

  closeProducer(
    participant: Participant,
    producerId: string,
    reason: 'closed' | 'right-revoked' = 'closed',
  ): void {
    const entry = participant.producers.get(producerId);
    if (entry === undefined) throw new NotFoundError('not_found', 'no such producer');
    entry.producer.close();
    participant.notify({ type: 'producerClosed', producerId, reason });
    this.broadcast({ type: 'producerClosed', producerId, reason }, participant);
  }

  async setProducerPaused(participant: Participant, producerId: string, paused: boolean): Promise<void> {
    const entry = participant.producers.get(producerId);
    if (entry === undefined) throw new NotFoundError('not_found', 'no such producer');
    if (!paused) assertNotOrganiserPaused(participant, entry.source);
    if (paused) await entry.producer.pause();
    else await entry.producer.resume();
    this.broadcast({ type: 'producerPaused', producerId, paused }, participant);
  }

  async consume(
    participant: Participant,
    transportId: string,
    producerId: string,
  ): Promise<ResponseDataMap['consume']> {
    this.assertJoined(participant);
    if (!participant.has('consume')) throw new ForbiddenError('right_missing', 'missing right consume');
    const owner = this.ownerOfProducer(producerId);
    if (owner === undefined || owner.participant === participant)
      throw new NotFoundError('not_found', 'no such producer');
    const transport = this.transportOf(participant, transportId);
    if (transport.appData.direction !== 'recv')
      throw new BadRequestError('bad_request', 'not a receive transport');
    this.assertMayAddConsumer(participant, producerId);
    const rtpCapabilities = participant.rtpCapabilities!;
    if (!this.router.canConsume({ producerId, rtpCapabilities })) {
      throw new BadRequestError('bad_request', 'your receive capabilities cannot take this producer');
    }
    const consumer = await mediaCall(() =>
      transport.consume({
        producerId,
        rtpCapabilities,
        paused: true,
        // Start low; the receiver's tile size raises it (receiver-driven layer selection).
        preferredLayers: { spatialLayer: 0 },
        appData: { participantId: participant.id },
      }),
    );
    const kind = consumer.kind;
    participant.consumers.set(consumer.id, {
      consumer,
      source: owner.entry.source,
      producerParticipantId: owner.participant.id,
    });
    this.metrics.consumers.inc({ kind });
    consumer.observer.once('close', () => {
      participant.consumers.delete(consumer.id);
      this.metrics.consumers.dec({ kind });
    });
    consumer.on('producerclose', () =>
      participant.notify({ type: 'consumerClosed', consumerId: consumer.id }),
    );
    consumer.on('layerschange', (layers) =>
      participant.notify({
        type: 'consumerLayers',
        consumerId: consumer.id,
        spatialLayer: layers?.spatialLayer ?? null,
        temporalLayer: layers?.temporalLayer ?? null,
      }),
    );
    return {
      consumerId: consumer.id,
      producerId,
      participantId: owner.participant.id,
      source: owner.entry.source,
      kind,
      rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
    };
  }

  async setConsumerPaused(participant: Participant, consumerId: string, paused: boolean): Promise<void> {
    const { consumer } = this.consumerOf(participant, consumerId);
    if (paused) await consumer.pause();
    else await consumer.resume();
  }

  /**
   * A receiver asks for a keyframe of a video consumer; at most one per consumer per KEYFRAME_REQUEST_INTERVAL_MS
   * reaches the sender, so no client can make a publisher send keyframes continuously.
   */
  async requestKeyFrame(participant: Participant, consumerId: string): Promise<boolean> {
    const entry = this.consumerOf(participant, consumerId);
    const now = performance.now();
    if (entry.consumer.kind !== 'video') return false;
    if (
      entry.lastKeyFrameRequestMs !== undefined &&
      now - entry.lastKeyFrameRequestMs < KEYFRAME_REQUEST_INTERVAL_MS
    )
      return false;
    entry.lastKeyFrameRequestMs = now;
    await entry.consumer.requestKeyFrame();
    return true;
  }

  /** Receiver-driven layer selection: a small tile gets the low simulcast/SVC layer. */
  async setConsumerTile(participant: Participant, consumerId: string, height: number): Promise<number> {
    const { consumer } = this.consumerOf(participant, consumerId);
    const { low, medium } = this.options.layerThresholds;
    const wanted = height <= low ? 0 : height <= medium ? 1 : 2;
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return 0;
    // A consumer has one encoding whose scalability mode (e.g. S3T3, L3T3) says how many spatial layers exist.
    const mode = consumer.rtpParameters.encodings?.[0]?.scalabilityMode ?? 'L1T1';
    const spatialLayers = Number(/^[LS](\d+)T\d+/.exec(mode)?.[1] ?? 1);
    const spatialLayer = Math.min(wanted, spatialLayers - 1);
    await consumer.setPreferredLayers({ spatialLayer });
    return spatialLayer;
  }

  async setConsumerLayers(
    participant: Participant,
    consumerId: string,
    spatialLayer: number,
    temporalLayer?: number,
  ): Promise<void> {
    const { consumer } = this.consumerOf(participant, consumerId);
    await consumer.setPreferredLayers({
      spatialLayer,
      ...(temporalLayer !== undefined ? { temporalLayer } : {}),
    });
  }

  /** Raises or lowers the participant's own hand; everyone (itself included) hears of a change. */
  setHand(participant: Participant, raised: boolean): void {
    this.assertJoined(participant);
    this.changeHand(participant, raised, 'self');
  }

  // ------------------------------------------------------------------------------------------------------
  // Organiser powers, driven through the internal API; each takes effect at once on the media.
  // ------------------------------------------------------------------------------------------------------

  /** Replaces a participant's rights; producers and consumers no longer allowed are closed now. */
  setRights(participantId: string, rights: readonly Right[]): Participant {
    const participant = this.participantById(participantId);
    participant.setRights(rights);
    for (const [producerId, entry] of [...participant.producers]) {
      if (!participant.has(rightForSource(entry.source)))
        this.closeProducer(participant, producerId, 'right-revoked');
    }
    if (!participant.has('consume')) {
      for (const { consumer } of [...participant.consumers.values()]) {
        consumer.close();
        participant.notify({ type: 'consumerClosed', consumerId: consumer.id });
      }
    }
    participant.notify({ type: 'rightsChanged', rights: participant.rights });
    return participant;
  }

  /**
   * Stops forwarding a participant's media from `source` (organiser mute): the participant may neither resume it
   * nor produce that source again until `releaseSources`. The flag is set before any `await`, so a resume
   * racing the mute is refused.
   */
  async pauseSource(participantId: string, source: MediaSource): Promise<number> {
    const participant = this.participantById(participantId);
    participant.organiserPaused.add(source);
    let paused = 0;
    for (const [producerId, entry] of participant.producers) {
      if (entry.source !== source) continue;
      await entry.producer.pause();
      this.broadcast({ type: 'producerPaused', producerId, paused: true });
      paused++;
    }
    return paused;
  }

  /** Lets the participant resume or produce these sources again; nothing is resumed for it. */
  releaseSources(participantId: string, sources: readonly MediaSource[]): Participant {
    const participant = this.participantById(participantId);
    for (const source of sources) participant.organiserPaused.delete(source);
    return participant;
  }

  /** An organiser lowers one participant's hand (false when it was not raised). */
  lowerHand(participantId: string): boolean {
    return this.changeHand(this.participantById(participantId), false, 'organiser');
  }

  /** An organiser lowers every raised hand; returns how many were raised. */
  lowerHands(): number {
    let lowered = 0;
    for (const participant of this.participants.values())
      if (this.changeHand(participant, false, 'organiser')) lowered++;
    return lowered;
  }

  /** Removes a participant now (the bar on its later tickets is kept by the powers ledger). */
  remove(participantId: string): Participant {
    const participant = this.participantById(participantId);
    participant.notify({ type: 'removed', reason: 'removed-by-organiser' });
    this.leave(participant, 'removed');
    return participant;
  }

  /** Ends the meeting for everyone. */
  end(): void {
    for (const participant of [...this.participants.values()]) {
      participant.notify({ type: 'removed', reason: 'room-ended' });
      this.leave(participant, 'ended');
    }
    this.close();
  }

  /** After the worker hosting this room died: a new router on the replacement, everyone re-establishes media. */
  async moveTo(replacement: PooledWorker): Promise<void> {
    if (this.closed) return;
    this.worker = replacement;
    await this.attachRouter(replacement);
    for (const participant of this.participants.values()) {
      participant.closeMedia();
      participant.notify({ type: 'mediaReset', reason: 'worker-restarted' });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.rooms--;
    this.router.close();
    this.emit('closed');
  }

  // ------------------------------------------------------------------------------------------------------

  private async attachRouter(worker: PooledWorker): Promise<void> {
    this.router = await worker.worker.createRouter({
      mediaCodecs: ROUTER_MEDIA_CODECS,
      appData: { roomId: this.id },
    });
    worker.rooms++;
    this.speakerObserver = await this.router.createActiveSpeakerObserver({ interval: 300 });
    this.speakerObserver.on('dominantspeaker', ({ producer }) => {
      const participantId = (producer.appData as { participantId?: string }).participantId ?? null;
      this.dominantSpeaker = participantId;
      this.broadcast({ type: 'activeSpeaker', participantId });
    });
    this.router.observer.once('close', () => this.log.debug('router closed', { worker: worker.index }));
  }

  private track(participant: Participant, transport: types.Transport): void {
    participant.transports.set(transport.id, transport);
    transport.observer.once('close', () => participant.transports.delete(transport.id));
  }

  private producerInfo(
    participant: Participant,
    producer: types.Producer,
    source: MediaSource,
  ): ProducerInfo {
    return {
      producerId: producer.id,
      participantId: participant.id,
      source,
      kind: producer.kind,
      paused: producer.paused,
    };
  }

  private producerInfos(participant: Participant): ProducerInfo[] {
    return [...participant.producers.values()].map(({ producer, source }) =>
      this.producerInfo(participant, producer, source),
    );
  }

  private ownerOfProducer(producerId: string) {
    for (const participant of this.participants.values()) {
      const entry = participant.producers.get(producerId);
      if (entry !== undefined) return { participant, entry };
    }
    return undefined;
  }

  private others(participant: Participant): Participant[] {
    return [...this.participants.values()].filter((p) => p !== participant && p.joined);
  }

  /** Sends to every joined participant but `except` (serialised once for all of them). */
  broadcast(message: ServerNotification, except?: Participant): void {
    const encoded = EncodedNotification.of(message);
    for (const participant of this.participants.values()) {
      if (participant !== except && participant.joined) participant.notify(encoded);
    }
  }

  private changeHand(participant: Participant, raised: boolean, by: 'self' | 'organiser'): boolean {
    if (participant.handRaised === raised) return false;
    participant.handRaised = raised;
    if (participant.joined)
      this.broadcast({ type: 'handChanged', participantId: participant.id, raised, by });
    return true;
  }

  private participantById(participantId: string): Participant {
    const participant = this.participants.get(participantId);
    if (participant === undefined) throw new NotFoundError('not_found', 'no such participant');
    return participant;
  }

  private assertMember(participant: Participant): void {
    if (this.participants.get(participant.id) !== participant) {
      throw new ConflictError('invalid_state', 'not in this meeting');
    }
  }

  private assertJoined(participant: Participant): void {
    this.assertMember(participant);
    if (!participant.joined) throw new ConflictError('invalid_state', 'join first');
  }

  private transportOf(
    participant: Participant,
    transportId: string,
    kind?: 'webrtc' | 'plain',
  ): types.Transport {
    this.assertMember(participant);
    const transport = participant.transports.get(transportId);
    if (transport === undefined) throw new NotFoundError('not_found', 'no such transport');
    if (kind !== undefined && transport.appData.kind !== kind) {
      throw new BadRequestError('bad_request', `not a ${kind} transport`);
    }
    return transport;
  }

  /** One consumer per participant and producer, and a bound on them all: a client cannot multiply a stream. */
  private assertMayAddConsumer(participant: Participant, producerId: string): void {
    const consumers = [...participant.consumers.values()];
    if (consumers.some((c) => c.consumer.producerId === producerId)) {
      throw new ConflictError('conflict', 'you consume this producer already');
    }
    if (consumers.length >= this.options.maxConsumersPerParticipant) {
      throw new ConflictError('limit_reached', 'too many consumers');
    }
  }

  private consumerOf(participant: Participant, consumerId: string) {
    this.assertMember(participant);
    const entry = participant.consumers.get(consumerId);
    if (entry === undefined) throw new NotFoundError('not_found', 'no such consumer');
    return entry;
  }
}

function assertNotOrganiserPaused(participant: Participant, source: MediaSource): void {
  if (participant.organiserPaused.has(source))
    throw new ForbiddenError('muted_by_organiser', `an organiser muted your ${source}`);
}

/** mediasoup refuses bad parameters with TypeError/UnsupportedError: those are the client's fault (400). */
async function mediaCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TypeError || error instanceof mediasoupErrors.UnsupportedError) {
      throw new BadRequestError('bad_request', 'invalid media parameters', (error as Error).message);
    }
    if (error instanceof mediasoupErrors.WorkerClosedError) {
      throw new ConflictError('media_unavailable', 'the media server is restarting; retry', error.message);
    }
    // The worker answers a parameter it cannot use with a plain Error naming the field.
    if (error instanceof Error && /invalid|missing|wrong|unsupported|cannot|already/i.test(error.message)) {
      throw new BadRequestError('bad_request', 'invalid media parameters', error.message);
    }
    throw error;
  }
}
