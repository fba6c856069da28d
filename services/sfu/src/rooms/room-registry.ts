import { EventEmitter } from 'node:events';
import type { Logger } from '@conclave/server-kit';
import type { PooledWorker, WorkerPool } from '../media/worker-pool';
import type { SfuMetrics } from '../metrics';
import { Room, type RoomMediaOptions } from './room';

/**
 * The live rooms. A room is created on the least-loaded worker when its first participant arrives and
 * disappears with its last one; when a worker dies, its rooms move to the replacement worker.
 */
export interface RoomRegistryEvents {
  opened: [room: Room];
}

export class RoomRegistry extends EventEmitter<RoomRegistryEvents> {
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly options: RoomMediaOptions,
    private readonly metrics: SfuMetrics,
    private readonly log: Logger,
  ) {
    super();
    pool.on('replaced', (dead, replacement) => void this.onWorkerReplaced(dead, replacement));
    pool.on('lost', (dead) => this.onWorkerLost(dead));
  }

  get(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  all(): Room[] {
    return [...this.rooms.values()];
  }

  /** The room, created if needed; concurrent first joins share one creation. */
  async open(roomId: string): Promise<Room> {
    const existing = this.rooms.get(roomId);
    if (existing !== undefined && !existing.isClosed) return existing;
    const pending = this.creating.get(roomId);
    if (pending !== undefined) return pending;
    const creation = Room.create(roomId, this.pool.leastLoaded(), this.options, this.metrics, this.log)
      .then((room) => {
        this.rooms.set(roomId, room);
        this.metrics.rooms.inc();
        room.once('closed', () => {
          if (this.rooms.get(roomId) === room) this.rooms.delete(roomId);
          this.metrics.rooms.dec();
        });
        this.emit('opened', room);
        return room;
      })
      .finally(() => this.creating.delete(roomId));
    this.creating.set(roomId, creation);
    return creation;
  }

  closeAll(): void {
    for (const room of this.rooms.values()) room.end();
  }

  private async onWorkerReplaced(dead: PooledWorker, replacement: PooledWorker): Promise<void> {
    this.metrics.workerRestarts.inc();
    const affected = this.all().filter((room) => room.workerIndex === dead.index);
    this.log.warn('moving rooms to the replacement worker', { worker: dead.index, rooms: affected.length });
    for (const room of affected) {
      try {
        await room.moveTo(replacement);
      } catch (error) {
        this.log.error('room could not move to the replacement worker; ending it', { room: room.id, error });
        room.end();
      }
    }
  }

  private onWorkerLost(dead: PooledWorker): void {
    for (const room of this.all().filter((r) => r.workerIndex === dead.index)) room.end();
  }
}
