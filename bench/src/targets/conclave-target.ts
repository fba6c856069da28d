import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { types } from 'mediasoup';
import { SignallingClient, type WebSocketLike } from '@conclave/client';
import type { Right } from '@conclave/protocol';
import { createLogger, writeSelfSignedCertificate } from '@conclave/server-kit';
import { createDeliveryServices, parseSfuConfig, SfuServer } from '@conclave/sfu';
import { TicketSigner } from '@conclave/testing';
import { consumerCapabilities } from './consumer-capabilities';
import { publisherRtpParameters } from './publisher-rtp-parameters';
import type { BenchTarget, BenchTargetFactory, RoomEndpoints, RoomSpec, UdpAddress } from './bench-target';

const PUBLISHER_RIGHTS: Right[] = ['produce:audio', 'produce:video'];
const SUBSCRIBER_RIGHTS: Right[] = ['consume'];

/**
 * The Conclave SFU (services/sfu) driven exactly as clients drive it: a join ticket per participant, signalling
 * over WSS, rights checked, plain RTP transports (enabled for benchmarks only) in place of WebRTC ones. One
 * worker, like the baselines.
 */
export const conclaveTarget: BenchTargetFactory = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-bench-sfu-'));
  const tls = await writeSelfSignedCertificate(dir, { hosts: ['127.0.0.1'] });
  const signer = await TicketSigner.create(dir);
  const config = parseSfuConfig({
    signalling: {
      host: '127.0.0.1',
      port: 0,
      certFile: tls.certFile,
      keyFile: tls.keyFile,
      // A benchmark subscriber sends one consume and one resume per stream: far more than a person would.
      rateLimit: { perSecond: 10_000, burst: 100_000 },
      // Every benchmark client connects from loopback.
      maxConnectionsPerAddress: 100_000,
    },
    internal: { host: '127.0.0.1', port: 0 },
    tickets: { jwksFile: signer.jwksFile },
    media: {
      workers: 1,
      listenIp: '127.0.0.1',
      port: 0,
      plainTransport: { enabled: true, listenIp: '127.0.0.1' },
    },
    rooms: { maxParticipants: 1000 },
    log: { level: 'error' },
  });
  const server = await SfuServer.start(config, {
    mls: await createDeliveryServices(),
    logger: createLogger('bench-sfu', { level: 'error' }),
  });
  return new ConclaveTarget(server, signer, await readFile(tls.certFile, 'utf8'), dir);
};

class ConclaveTarget implements BenchTarget {
  readonly name = 'conclave';
  private readonly clients: SignallingClient[] = [];
  private rooms = 0;
  private closed = false;

  constructor(
    private readonly server: SfuServer,
    private readonly signer: TicketSigner,
    private readonly caPem: string,
    private readonly dir: string,
  ) {}

  async setupRoom(room: RoomSpec): Promise<RoomEndpoints> {
    const roomId = `bench-${++this.rooms}`;
    const publisherAddrs: UdpAddress[] = [];
    const producers: string[][] = [];
    for (const [index, publisher] of room.publishers.entries()) {
      const rtp = publisherRtpParameters(publisher);
      const client = await this.join(roomId, `pub-${index}`, PUBLISHER_RIGHTS);
      const transport = await client.request('createTransport', { direction: 'send', transport: 'plain' });
      if (transport.transport !== 'plain') throw new Error('expected a plain transport');
      const video = await client.request('produce', {
        transportId: transport.transportId,
        source: 'camera',
        kind: 'video',
        rtpParameters: rtp.video as unknown as Record<string, unknown>,
      });
      const audio = await client.request('produce', {
        transportId: transport.transportId,
        source: 'microphone',
        kind: 'audio',
        rtpParameters: rtp.audio as unknown as Record<string, unknown>,
      });
      producers.push([video.producerId, audio.producerId]);
      publisherAddrs.push({ ip: transport.ip, port: transport.port });
    }
    let consumers = 0;
    for (const [index, subscriber] of room.subscribers.entries()) {
      const client = await this.join(roomId, `sub-${index}`, SUBSCRIBER_RIGHTS);
      const transport = await client.request('createTransport', { direction: 'recv', transport: 'plain' });
      await client.request('connectPlainTransport', {
        transportId: transport.transportId,
        ip: subscriber.sink.ip,
        port: subscriber.sink.port,
      });
      for (const publisher of subscriber.publishers) {
        for (const producerId of producers[publisher]!) {
          const consumer = await client.request('consume', {
            transportId: transport.transportId,
            producerId,
          });
          await client.request('resumeConsumer', { consumerId: consumer.consumerId });
          consumers++;
        }
      }
    }
    return { publisherAddrs, consumers };
  }

  workerPids(): readonly number[] {
    return this.server.pool.workers.map((w) => w.worker.pid);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const client of this.clients) client.close();
    await this.server.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async join(roomId: string, participant: string, rights: Right[]): Promise<SignallingClient> {
    const socket = new WebSocket(this.server.signallingUrl, { ca: this.caPem });
    const client = await SignallingClient.connect(socket as unknown as WebSocketLike);
    this.clients.push(client);
    const hello = await client.hello(
      await this.signer.sign({ user: participant, room: roomId, participant, rights, expiresIn: 120 }),
    );
    await client.request('join', {
      rtpCapabilities: consumerCapabilities(
        hello.routerRtpCapabilities as unknown as types.RtpCapabilities,
      ) as unknown as Record<string, unknown>,
    });
    return client;
  }
}
