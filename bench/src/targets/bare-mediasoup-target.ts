import { createWorker, type types } from 'mediasoup';
import { BENCH_AUDIO_CODEC, BENCH_VIDEO_CODEC } from '../traffic/bench-codecs';
import { consumerCapabilities } from './consumer-capabilities';
import { publisherRtpParameters } from './publisher-rtp-parameters';
import type { BenchTarget, BenchTargetFactory, RoomEndpoints, RoomSpec, UdpAddress } from './bench-target';

const LISTEN: types.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1' };
const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: BENCH_AUDIO_CODEC.mimeType,
    clockRate: BENCH_AUDIO_CODEC.clockRate,
    channels: BENCH_AUDIO_CODEC.channels,
  },
  { kind: 'video', mimeType: BENCH_VIDEO_CODEC.mimeType, clockRate: BENCH_VIDEO_CODEC.clockRate },
];

/**
 * mediasoup with no Conclave code: one worker, one router (VP8 + Opus), a comedia PlainTransport per publisher
 * and a connected PlainTransport per subscriber, producers and consumers made directly through the API.
 */
export const bareMediasoupTarget: BenchTargetFactory = async () => {
  const worker = await createWorker({ logLevel: 'error' });
  return new BareMediasoupTarget(worker);
};

class BareMediasoupTarget implements BenchTarget {
  readonly name = 'bare-mediasoup';
  private closed = false;

  constructor(private readonly worker: types.Worker) {}

  async setupRoom(room: RoomSpec): Promise<RoomEndpoints> {
    const router = await this.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const publisherAddrs: UdpAddress[] = [];
    const producers: { video: types.Producer; audio: types.Producer }[] = [];
    for (const publisher of room.publishers) {
      const rtp = publisherRtpParameters(publisher);
      const transport = await router.createPlainTransport({
        listenInfo: LISTEN,
        rtcpMux: true,
        comedia: true,
      });
      const video = await transport.produce({
        kind: 'video',
        rtpParameters: rtp.video,
      });
      const audio = await transport.produce({
        kind: 'audio',
        rtpParameters: rtp.audio,
      });
      producers.push({ video, audio });
      publisherAddrs.push({ ip: transport.tuple.localAddress, port: transport.tuple.localPort });
    }
    const rtpCapabilities = consumerCapabilities(router.rtpCapabilities);
    let consumers = 0;
    for (const subscriber of room.subscribers) {
      const transport = await router.createPlainTransport({
        listenInfo: LISTEN,
        rtcpMux: true,
        comedia: false,
      });
      await transport.connect({ ip: subscriber.sink.ip, port: subscriber.sink.port });
      for (const index of subscriber.publishers) {
        for (const producer of [producers[index].video, producers[index].audio]) {
          await transport.consume({ producerId: producer.id, rtpCapabilities });
          consumers++;
        }
      }
    }
    return { publisherAddrs, consumers };
  }

  workerPids(): readonly number[] {
    return [this.worker.pid];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const died = new Promise<void>((resolve) => this.worker.observer.once('close', () => resolve()));
    this.worker.close();
    await died;
  }
}
