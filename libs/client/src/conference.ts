import { Device, type types } from 'mediasoup-client';
import type { MediaSource, PeerInfo, ProducerInfo, ResponseDataMap } from '@conclave/protocol';
import type { Codec } from '@conclave/e2ee';
import { attachTransform, encodedTransformSupport } from './e2ee/media-transforms';
import { Emitter } from './emitter';
import type { SignallingClient } from './signalling-client';

/** A remote track ready to show or play, with whom it belongs to. */
export interface RemoteTrack {
  consumerId: string;
  producerId: string;
  participantId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  track: MediaStreamTrack;
}

export interface ConferenceEvents {
  peerJoined: (peer: PeerInfo) => void;
  peerLeft: (participantId: string) => void;
  trackAdded: (track: RemoteTrack) => void;
  trackRemoved: (consumerId: string) => void;
  activeSpeaker: (participantId: string | null) => void;
  /** The SFU lost the media of this session (worker restart); it is being set up again. */
  mediaReset: () => void;
  removed: (reason: string) => void;
  /** Someone's producers changed (added, closed, paused or resumed): read `producers()` for the list. */
  producers: () => void;
}

/**
 * How the transports reach the SFU (given to `RTCPeerConnection`). Nothing by default: no STUN or TURN server
 * outside the appliance is ever configured; room control hands out the appliance's relay with each ticket.
 */
export interface ConferenceIceOptions {
  /** The appliance's TURN relay with this participant's credential (`IceServers.iceServers` of the ticket). */
  iceServers?: RTCIceServer[];
  /** `relay`: media only through the TURN relay (locked-down networks, tests); `all` by default. */
  iceTransportPolicy?: RTCIceTransportPolicy;
}

/** Simulcast for cameras (RFC 8853): three layers; the SFU forwards the one each receiver's tile needs. */
const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

/**
 * The media half of a meeting in the browser: a mediasoup-client Device, one send and one receive transport,
 * producers for our sources and consumers for everyone else's, every one of them behind the E2EE transform
 * worker from before its first frame. There is no way to produce or consume without it.
 */
export class Conference extends Emitter<ConferenceEvents> {
  private device!: Device;
  private sendTransport: types.Transport | undefined;
  private recvTransport: types.Transport | undefined;
  private readonly published = new Map<MediaSource, { track: MediaStreamTrack; producer?: types.Producer }>();
  private readonly consumers = new Map<string, { consumer: types.Consumer; info: RemoteTrack }>();
  private readonly knownProducers = new Map<string, ProducerInfo>();
  /** Our own producers the SFU paused (an organiser mute). */
  private readonly pausedOwn = new Set<string>();
  private resetting: Promise<void> | undefined;
  private readonly creatingTransport = new Map<'send' | 'recv', Promise<types.Transport>>();

  constructor(
    private readonly signalling: SignallingClient,
    readonly hello: ResponseDataMap['hello'],
    private readonly worker: Worker,
    private readonly ice: ConferenceIceOptions = {},
  ) {
    super();
  }

  /** Loads the device, joins the room and starts receiving what is already published. */
  async start(): Promise<ResponseDataMap['join']> {
    this.device = new Device();
    await this.device.load({
      routerRtpCapabilities: this.hello.routerRtpCapabilities as unknown as types.RtpCapabilities,
    });
    this.wireNotifications();
    const joined = await this.signalling.request('join', {
      rtpCapabilities: this.device.rtpCapabilities as unknown as Record<string, unknown>,
    });
    for (const producer of joined.producers) this.knownProducers.set(producer.producerId, producer);
    this.emit('producers');
    if (this.hello.rights.includes('consume')) {
      await Promise.all(
        joined.producers.map((p) => this.consume(p).catch((error: unknown) => this.consumeFailed(p, error))),
      );
    }
    return joined;
  }

  /** Publishes a local track as `source`; the frames leave encrypted or not at all. */
  async publish(source: MediaSource, track: MediaStreamTrack): Promise<string> {
    this.published.set(source, { track });
    const producer = await this.produce(source, track);
    this.published.set(source, { track, producer });
    this.emit('producers');
    return producer.id;
  }

  async unpublish(source: MediaSource): Promise<void> {
    const entry = this.published.get(source);
    this.published.delete(source);
    if (entry?.producer === undefined) return;
    entry.producer.close();
    this.pausedOwn.delete(entry.producer.id);
    this.emit('producers');
    await this.signalling.request('closeProducer', { producerId: entry.producer.id }).catch(() => undefined);
  }

  /**
   * Resumes our producer of `source` that the SFU paused (an organiser mute that was lifted since). False when
   * there is no such producer (publish the source again instead); the SFU refuses while the mute holds.
   */
  async resume(source: MediaSource): Promise<boolean> {
    const producer = this.published.get(source)?.producer;
    if (producer === undefined || producer.closed || !this.pausedOwn.has(producer.id)) return false;
    await this.signalling.request('resumeProducer', { producerId: producer.id });
    this.pausedOwn.delete(producer.id);
    this.emit('producers');
    return true;
  }

  /**
   * Sends another track as `source` on the same producer (another camera or microphone): the RTP sender and
   * its E2EE transform stay, nothing is renegotiated. Publishes it when `source` is not published yet.
   */
  async replaceTrack(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    const entry = this.published.get(source);
    if (entry?.producer === undefined || entry.producer.closed) {
      await this.publish(source, track);
      return;
    }
    await entry.producer.replaceTrack({ track });
    this.published.set(source, { track, producer: entry.producer });
  }

  /** Stops (or starts again) forwarding of one consumer by the SFU, e.g. for a tile that is not on screen. */
  async setConsumerPaused(consumerId: string, paused: boolean): Promise<void> {
    if (!this.consumers.has(consumerId)) return;
    await this.signalling.request(paused ? 'pauseConsumer' : 'resumeConsumer', { consumerId });
  }

  /** Receiver-driven layer selection: tell the SFU how large the tile showing this consumer is. */
  async setTileSize(consumerId: string, width: number, height: number): Promise<number> {
    const { spatialLayer } = await this.signalling.request('setConsumerTile', {
      consumerId,
      width: Math.round(width),
      height: Math.round(height),
    });
    return spatialLayer;
  }

  /**
   * Every producer in the room as the SFU announced it, ours included (`paused` on ours means the SFU paused it:
   * an organiser mute). Mic and camera state per participant come from here.
   */
  producers(): ProducerInfo[] {
    const own: ProducerInfo[] = [];
    for (const [source, entry] of this.published) {
      if (entry.producer === undefined || entry.producer.closed) continue;
      own.push({
        producerId: entry.producer.id,
        participantId: this.hello.participantId,
        source,
        kind: entry.track.kind as 'audio' | 'video',
        paused: this.pausedOwn.has(entry.producer.id),
      });
    }
    return [...this.knownProducers.values(), ...own];
  }

  remoteTracks(): RemoteTrack[] {
    return [...this.consumers.values()].map((c) => c.info);
  }

  /**
   * Asks every video sender we receive for a keyframe: after the first E2EE keys arrive, the frames dropped
   * before them leave the decoders waiting for one, and asking is faster than waiting for the decoder to ask.
   */
  async requestKeyFrames(): Promise<void> {
    const video = [...this.consumers.values()].filter(({ info }) => info.kind === 'video');
    await Promise.all(
      video.map(({ info }) =>
        this.signalling.request('requestKeyFrame', { consumerId: info.consumerId }).catch(() => undefined),
      ),
    );
  }

  /** The RTCRtpReceiver statistics of a consumer (frames decoded, layers). */
  consumerStats(consumerId: string): Promise<RTCStatsReport> | undefined {
    return this.consumers.get(consumerId)?.consumer.getStats();
  }

  producerStats(source: MediaSource): Promise<RTCStatsReport> | undefined {
    return this.published.get(source)?.producer?.getStats();
  }

  close(): void {
    for (const { consumer } of this.consumers.values()) consumer.close();
    this.consumers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = undefined;
    this.recvTransport = undefined;
  }

  // ------------------------------------------------------------------------------------------------------

  private wireNotifications(): void {
    this.signalling.on('peerJoined', ({ peer }) => this.emit('peerJoined', peer));
    this.signalling.on('peerLeft', ({ participantId }) => {
      for (const [id, producer] of this.knownProducers)
        if (producer.participantId === participantId) this.knownProducers.delete(id);
      this.emit('producers');
      this.emit('peerLeft', participantId);
    });
    this.signalling.on('producerAdded', ({ producer }) => {
      this.knownProducers.set(producer.producerId, producer);
      this.emit('producers');
      if (this.hello.rights.includes('consume'))
        void this.consume(producer).catch((error: unknown) => this.consumeFailed(producer, error));
    });
    this.signalling.on('producerClosed', ({ producerId }) => {
      this.knownProducers.delete(producerId);
      for (const [source, entry] of this.published) {
        if (entry.producer?.id === producerId) {
          entry.producer.close();
          this.published.delete(source);
        }
      }
      this.pausedOwn.delete(producerId);
      this.emit('producers');
    });
    this.signalling.on('producerPaused', ({ producerId, paused }) => {
      const known = this.knownProducers.get(producerId);
      if (known !== undefined) this.knownProducers.set(producerId, { ...known, paused });
      else if ([...this.published.values()].some((entry) => entry.producer?.id === producerId)) {
        if (paused) this.pausedOwn.add(producerId);
        else this.pausedOwn.delete(producerId);
      } else return;
      this.emit('producers');
    });
    this.signalling.on('consumerClosed', ({ consumerId }) => this.dropConsumer(consumerId));
    this.signalling.on('activeSpeaker', ({ participantId }) => this.emit('activeSpeaker', participantId));
    this.signalling.on('mediaReset', () => void this.resetMedia());
    this.signalling.on('removed', ({ reason }) => {
      this.close();
      this.emit('removed', reason);
    });
  }

  /** After the SFU lost our media (worker restart): new transports, the same tracks published again. */
  private resetMedia(): Promise<void> {
    this.resetting ??= (async () => {
      this.emit('mediaReset');
      for (const consumerId of [...this.consumers.keys()]) this.dropConsumer(consumerId);
      this.sendTransport?.close();
      this.recvTransport?.close();
      this.sendTransport = undefined;
      this.recvTransport = undefined;
      this.knownProducers.clear();
      this.pausedOwn.clear();
      this.emit('producers');
      for (const [source, entry] of [...this.published]) {
        entry.producer?.close();
        const producer = await this.produce(source, entry.track).catch(() => undefined);
        this.published.set(source, { track: entry.track, ...(producer !== undefined ? { producer } : {}) });
      }
    })().finally(() => {
      this.resetting = undefined;
    });
    return this.resetting;
  }

  private consumeFailed(producer: ProducerInfo, error: unknown): void {
    // A producer that closed meanwhile is not a failure; anything else is worth a trace for support.
    if (!this.knownProducers.has(producer.producerId)) return;
    console.warn('conclave: cannot receive', producer.participantId, producer.source, error);
  }

  private dropConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (entry === undefined) return;
    entry.consumer.close();
    this.consumers.delete(consumerId);
    this.emit('trackRemoved', consumerId);
  }

  private async produce(source: MediaSource, track: MediaStreamTrack): Promise<types.Producer> {
    const transport = await this.ensureTransport('send');
    const codec = this.sendCodec(source);
    const mime = codec.mimeType.toLowerCase();
    return transport.produce({
      track,
      codec,
      stopTracks: false,
      ...(source === 'camera' ? { encodings: CAMERA_ENCODINGS } : {}),
      ...(source === 'screen' ? { encodings: [{ scalabilityMode: 'L1T3', maxBitrate: 2_500_000 }] } : {}),
      appData: { source },
      // Before the offer: the transform is in place before the first frame is encoded.
      onRtpSender: (sender) =>
        attachTransform(sender, this.worker, {
          direction: 'send',
          kind: track.kind as 'audio' | 'video',
          codec: codecName(mime),
          participantId: this.hello.participantId,
        }),
    });
  }

  private sendCodec(source: MediaSource): types.RtpCodecCapability {
    const wanted =
      source === 'microphone' || source === 'screen-audio'
        ? 'audio/opus'
        : source === 'screen'
          ? 'video/vp9'
          : 'video/vp8';
    const codec = this.device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === wanted);
    if (codec === undefined) throw new Error(`the SFU and this browser share no ${wanted} codec`);
    return codec;
  }

  private async consume(producer: ProducerInfo): Promise<void> {
    if (producer.participantId === this.hello.participantId) return;
    const transport = await this.ensureTransport('recv');
    const data = await this.signalling.request('consume', {
      transportId: transport.id,
      producerId: producer.producerId,
    });
    const rtpParameters = data.rtpParameters as unknown as types.RtpParameters;
    const mime = rtpParameters.codecs[0]?.mimeType.toLowerCase() ?? '';
    const consumer = await transport.consume({
      id: data.consumerId,
      producerId: data.producerId,
      kind: data.kind,
      rtpParameters,
      onRtpReceiver: (receiver) =>
        attachTransform(receiver, this.worker, {
          direction: 'recv',
          kind: data.kind,
          codec: codecName(mime),
          participantId: data.participantId,
        }),
    });
    const info: RemoteTrack = {
      consumerId: consumer.id,
      producerId: data.producerId,
      participantId: data.participantId,
      source: data.source,
      kind: data.kind,
      track: consumer.track,
    };
    this.consumers.set(consumer.id, { consumer, info });
    await this.signalling.request('resumeConsumer', { consumerId: consumer.id });
    this.emit('trackAdded', info);
  }

  /** One transport per direction, created once even when several producers or consumers ask at the same time. */
  private ensureTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const existing = direction === 'send' ? this.sendTransport : this.recvTransport;
    if (existing !== undefined && !existing.closed) return Promise.resolve(existing);
    let pending = this.creatingTransport.get(direction);
    if (pending === undefined) {
      pending = this.createTransport(direction).finally(() => this.creatingTransport.delete(direction));
      this.creatingTransport.set(direction, pending);
    }
    return pending;
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const params = await this.signalling.request('createTransport', { direction, transport: 'webrtc' });
    if (params.transport !== 'webrtc') throw new Error('expected a WebRTC transport');
    const options = {
      id: params.transportId,
      iceParameters: params.iceParameters as unknown as types.IceParameters,
      iceCandidates: params.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: params.dtlsParameters as unknown as types.DtlsParameters,
      ...(this.ice.iceServers !== undefined ? { iceServers: this.ice.iceServers } : {}),
      ...(this.ice.iceTransportPolicy !== undefined
        ? { iceTransportPolicy: this.ice.iceTransportPolicy }
        : {}),
      // The legacy encoded-streams API only works on a peer connection created for it.
      ...(encodedTransformSupport() === 'encoded-streams'
        ? { additionalSettings: { encodedInsertableStreams: true } as unknown as RTCConfiguration }
        : {}),
    };
    const transport =
      direction === 'send'
        ? this.device.createSendTransport(options)
        : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signalling
        .request('connectTransport', {
          transportId: transport.id,
          dtlsParameters: dtlsParameters as unknown as Record<string, unknown>,
        })
        .then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        this.signalling
          .request('produce', {
            transportId: transport.id,
            kind,
            source: (appData as { source: MediaSource }).source,
            rtpParameters: rtpParameters as unknown as Record<string, unknown>,
          })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
      this.sendTransport = transport;
    } else {
      this.recvTransport = transport;
    }
    return transport;
  }
}

function codecName(mime: string): Codec {
  if (mime === 'audio/opus') return 'opus';
  if (mime === 'video/vp8') return 'vp8';
  if (mime === 'video/vp9') return 'vp9';
  throw new Error(`no end-to-end encryption layout for ${mime}`);
}
