import { Counter, Gauge, type Registry } from 'prom-client';

/** The SFU's own metrics (`conclave_sfu_*`), next to Node's default process metrics. */
export interface SfuMetrics {
  workers: Gauge;
  workerRestarts: Counter;
  workerCpuSeconds: Gauge<'worker'>;
  rooms: Gauge;
  participants: Gauge;
  producers: Gauge<'kind'>;
  consumers: Gauge<'kind'>;
  rtpPackets: Counter<'direction'>;
  rtpBytes: Counter<'direction'>;
  rtpPacketsLost: Counter;
  signallingMessages: Counter<'type'>;
  signallingRefusals: Counter<'code'>;
  connections: Gauge;
  connectionsClosed: Counter<'reason'>;
}

export function createSfuMetrics(registry: Registry): SfuMetrics {
  const registers = [registry];
  return {
    workers: new Gauge({ name: 'conclave_sfu_workers', help: 'mediasoup workers running', registers }),
    workerRestarts: new Counter({
      name: 'conclave_sfu_worker_restarts_total',
      help: 'mediasoup workers replaced after dying',
      registers,
    }),
    workerCpuSeconds: new Gauge({
      name: 'conclave_sfu_worker_cpu_seconds',
      help: 'CPU time used by the current mediasoup worker process in a slot (user + system), seconds',
      labelNames: ['worker'],
      registers,
    }),
    rooms: new Gauge({ name: 'conclave_sfu_rooms', help: 'rooms with a router', registers }),
    participants: new Gauge({ name: 'conclave_sfu_participants', help: 'participants admitted', registers }),
    producers: new Gauge({
      name: 'conclave_sfu_producers',
      help: 'producers',
      labelNames: ['kind'],
      registers,
    }),
    consumers: new Gauge({
      name: 'conclave_sfu_consumers',
      help: 'consumers',
      labelNames: ['kind'],
      registers,
    }),
    rtpPackets: new Counter({
      name: 'conclave_sfu_rtp_packets_total',
      help: 'RTP packets through WebRTC and plain transports (in: from clients, out: to clients)',
      labelNames: ['direction'],
      registers,
    }),
    rtpBytes: new Counter({
      name: 'conclave_sfu_rtp_bytes_total',
      help: 'Bytes through transports (in: from clients, out: to clients)',
      labelNames: ['direction'],
      registers,
    }),
    rtpPacketsLost: new Counter({
      name: 'conclave_sfu_rtp_packets_lost_total',
      help: 'RTP packets the SFU found missing on incoming streams',
      registers,
    }),
    signallingMessages: new Counter({
      name: 'conclave_sfu_signalling_messages_total',
      help: 'Signalling requests received, by type',
      labelNames: ['type'],
      registers,
    }),
    signallingRefusals: new Counter({
      name: 'conclave_sfu_signalling_refusals_total',
      help: 'Signalling requests refused, by error code',
      labelNames: ['code'],
      registers,
    }),
    connections: new Gauge({
      name: 'conclave_sfu_signalling_connections',
      help: 'open signalling connections',
      registers,
    }),
    connectionsClosed: new Counter({
      name: 'conclave_sfu_signalling_connections_closed_total',
      help: 'Signalling connections the SFU closed to protect itself (hello_refused, too_slow, too_many_connections)',
      labelNames: ['reason'],
      registers,
    }),
  };
}
