import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { createMetricsRegistry } from '@conclave/server-kit';
import { MeetingRow, ParticipantRow } from './persistence/entities';

/** `conclave_rooms_*`: meetings, participants, lobby and organiser powers. Counts only, never names. */
export class RoomsMetrics {
  readonly registry: Registry;
  readonly admissions: Counter<'via'>;
  readonly refusals: Counter<'reason'>;
  readonly rightsActions: Counter<'action' | 'outcome'>;
  readonly lobbyWait: Histogram;
  readonly rateLimited: Counter<'scope'>;

  constructor(dataSource: DataSource) {
    this.registry = createMetricsRegistry('conclave_rooms');
    const registers = [this.registry];
    const count = async (entity: typeof MeetingRow | typeof ParticipantRow, where: Record<string, string>) =>
      dataSource.isInitialized ? dataSource.manager.countBy(entity, where) : 0;
    new Gauge({
      name: 'conclave_rooms_meetings',
      help: 'Meetings by status (scheduled, live)',
      labelNames: ['status'],
      registers,
      async collect() {
        this.set({ status: 'scheduled' }, await count(MeetingRow, { status: 'scheduled' }));
        this.set({ status: 'live' }, await count(MeetingRow, { status: 'live' }));
      },
    });
    new Gauge({
      name: 'conclave_rooms_participants',
      help: 'Participants admitted to meetings that have not ended',
      registers,
      async collect() {
        this.set(await count(ParticipantRow, { state: 'admitted' }));
      },
    });
    new Gauge({
      name: 'conclave_rooms_lobby_waiting',
      help: 'People waiting in a lobby',
      registers,
      async collect() {
        this.set(await count(ParticipantRow, { state: 'waiting' }));
      },
    });
    this.admissions = new Counter({
      name: 'conclave_rooms_admissions_total',
      help: 'Entries admitted',
      labelNames: ['via'],
      registers,
    });
    this.refusals = new Counter({
      name: 'conclave_rooms_refusals_total',
      help: 'Entries refused',
      labelNames: ['reason'],
      registers,
    });
    this.rightsActions = new Counter({
      name: 'conclave_rooms_rights_actions_total',
      help: 'Organiser powers exercised (outcome success), refused (outcome denied) or not applied by the SFU (outcome failure)',
      labelNames: ['action', 'outcome'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'conclave_rooms_rate_limited_total',
      help: 'Requests refused with 429 by the per-user or per-source limit',
      labelNames: ['scope'],
      registers,
    });
    this.lobbyWait = new Histogram({
      name: 'conclave_rooms_lobby_wait_seconds',
      help: 'Time between asking to enter and being admitted or refused',
      buckets: [1, 5, 15, 30, 60, 120, 300, 900],
      registers,
    });
  }

  /** `conclave_rooms_participant_streams`: participant streams open now on this process. */
  watchStreams(size: () => number): void {
    new Gauge({
      name: 'conclave_rooms_participant_streams',
      help: 'Participant streams (server-sent events) open on this process',
      registers: [this.registry],
      collect() {
        this.set(size());
      },
    });
  }
}
