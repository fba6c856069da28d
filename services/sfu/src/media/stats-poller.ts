import type { types } from 'mediasoup';
import type { RoomRegistry } from '../rooms/room-registry';
import type { SfuMetrics } from '../metrics';
import type { WorkerPool } from './worker-pool';

type Series = 'packetsIn' | 'packetsOut' | 'bytesIn' | 'bytesOut' | 'lost';

/**
 * Turns mediasoup's per-object cumulative stats into Prometheus counters by polling and adding deltas.
 * An object closed between two polls loses at most one interval of counts (docs/operations/metrics.md).
 */
export class StatsPoller {
  /** Last cumulative value per object id and series. */
  private last = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly pool: WorkerPool,
    private readonly metrics: SfuMetrics,
    private readonly intervalMs = 5000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await Promise.all([this.pollMedia(), this.pollWorkers()]);
    } finally {
      this.running = false;
    }
  }

  private async pollWorkers(): Promise<void> {
    this.metrics.workers.set(this.pool.workers.length);
    await Promise.all(
      this.pool.workers.map(async (w) => {
        const usage = await w.worker.getResourceUsage().catch(() => undefined);
        if (usage !== undefined) {
          this.metrics.workerCpuSeconds.set(
            { worker: String(w.index) },
            (usage.ru_utime + usage.ru_stime) / 1000,
          );
        }
      }),
    );
  }

  private async pollMedia(): Promise<void> {
    const next = new Map<string, number>();
    const tasks: Promise<void>[] = [];
    const record = (id: string, series: Series, value: number) => {
      const key = `${id}/${series}`;
      next.set(key, value);
      const delta = value - (this.last.get(key) ?? 0);
      if (delta <= 0) return;
      if (series === 'lost') this.metrics.rtpPacketsLost.inc(delta);
      else if (series === 'packetsIn' || series === 'packetsOut') {
        this.metrics.rtpPackets.inc({ direction: series === 'packetsIn' ? 'in' : 'out' }, delta);
      } else this.metrics.rtpBytes.inc({ direction: series === 'bytesIn' ? 'in' : 'out' }, delta);
    };
    const poll = <T>(object: { getStats(): Promise<T[]> }, use: (stats: T[]) => void) =>
      tasks.push(object.getStats().then(use, () => undefined));

    for (const room of this.rooms.all()) {
      for (const participant of room.participants.values()) {
        for (const transport of participant.transports.values()) {
          poll(transport as unknown as { getStats(): Promise<types.WebRtcTransportStat[]> }, ([stats]) => {
            if (stats === undefined) return;
            record(transport.id, 'bytesIn', stats.rtpBytesReceived);
            record(transport.id, 'bytesOut', stats.rtpBytesSent);
          });
        }
        for (const { producer } of participant.producers.values()) {
          poll(producer, (streams) => {
            record(
              producer.id,
              'packetsIn',
              streams.reduce((sum, s) => sum + s.packetCount, 0),
            );
            record(
              producer.id,
              'lost',
              streams.reduce((sum, s) => sum + Math.max(0, s.packetsLost), 0),
            );
          });
        }
        for (const { consumer } of participant.consumers.values()) {
          poll(consumer, (streams) => {
            const sent = streams.filter((s) => s.type === 'outbound-rtp');
            record(
              consumer.id,
              'packetsOut',
              sent.reduce((sum, s) => sum + s.packetCount, 0),
            );
          });
        }
      }
    }
    await Promise.all(tasks);
    this.last = next;
  }
}
