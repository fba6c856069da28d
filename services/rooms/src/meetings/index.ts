import type { Clock } from '@conclave/server-kit';
import type { AuditStore } from '../audit-lib';
import type { RoomsMetrics } from '../metrics';
import type { SfuControl } from '../sfu/sfu-control';
import type { TicketIssuer } from '../tickets/ticket-issuer';
import type { TurnCredentials } from '../turn/turn-credentials';
import type { DataSource } from 'typeorm';
import { MeetingAccess } from './meeting-access';
import { MeetingAdmission } from './meeting-admission';
import { MeetingEditing } from './meeting-editing';
import { MeetingPowers } from './meeting-powers';
import { MeetingScheduling } from './meeting-scheduling';
import { MeetingStore } from './meeting-store';
import { ParticipantInbox } from './participant-inbox';
import { LobbyTimeouts } from '../streams/lobby-timeouts';
import { ParticipantStreamService } from '../streams/participant-stream-service';
import { ParticipantStreams, type ParticipantStreamLimits } from '../streams/participant-streams';

export { MeetingAccess } from './meeting-access';
export { MeetingAdmission } from './meeting-admission';
export { MeetingEditing } from './meeting-editing';
export { MeetingPowers } from './meeting-powers';
export { MeetingScheduling } from './meeting-scheduling';
export { MeetingStore, MeetingRecords } from './meeting-store';
export { DenialLog } from './denial-log';

export interface MeetingServicesDeps {
  dataSource: DataSource;
  audit: AuditStore;
  sfu: SfuControl;
  tickets: TicketIssuer;
  metrics: RoomsMetrics;
  clock: Clock;
  instantDurationMinutes: number;
  /** Repeats of a refusal within this window are audited as one entry. */
  denialWindowMs: number;
  signallingUrl?: string;
  /** The appliance's TURN relay, when configured. */
  turn?: TurnCredentials;
  /** Caps on open participant streams. */
  streamLimits: ParticipantStreamLimits;
  /** A person still waiting after this long is told and removed from the lobby. */
  lobbyGiveUpAfterSeconds: number;
}

/** The meeting logic, one service per job, over one store. */
export interface MeetingServices {
  store: MeetingStore;
  scheduling: MeetingScheduling;
  admission: MeetingAdmission;
  powers: MeetingPowers;
  editing: MeetingEditing;
  /** Open participant streams and what is pushed into them. */
  streams: ParticipantStreams;
  /** Opening a stream; leaving the lobby. */
  participantStreams: ParticipantStreamService;
  /** Gives up waits that lasted too long (started by the server). */
  lobbyTimeouts: LobbyTimeouts;
}

/** Builds the meeting services and what they share (store, access rules, participant inbox). */
export function createMeetingServices(deps: MeetingServicesDeps): MeetingServices {
  const store = new MeetingStore(deps.dataSource, deps.audit, {
    clock: deps.clock,
    denialWindowMs: deps.denialWindowMs,
  });
  const access = new MeetingAccess({ store, metrics: deps.metrics });
  const streams = new ParticipantStreams(deps.streamLimits);
  const inbox = new ParticipantInbox((participantId, event) => streams.toSession(participantId, event));
  return {
    streams,
    participantStreams: new ParticipantStreamService({
      store,
      access,
      streams,
      inbox,
      clock: deps.clock,
      giveUpAfterSeconds: deps.lobbyGiveUpAfterSeconds,
    }),
    lobbyTimeouts: new LobbyTimeouts({
      store,
      streams,
      clock: deps.clock,
      giveUpAfterSeconds: deps.lobbyGiveUpAfterSeconds,
    }),
    store,
    scheduling: new MeetingScheduling({
      store,
      access,
      clock: deps.clock,
      instantDurationMinutes: deps.instantDurationMinutes,
    }),
    admission: new MeetingAdmission({
      store,
      access,
      tickets: deps.tickets,
      inbox,
      streams,
      metrics: deps.metrics,
      clock: deps.clock,
      ...(deps.signallingUrl !== undefined ? { signallingUrl: deps.signallingUrl } : {}),
      ...(deps.turn !== undefined ? { turn: deps.turn } : {}),
    }),
    powers: new MeetingPowers({
      store,
      access,
      sfu: deps.sfu,
      inbox,
      streams,
      metrics: deps.metrics,
      clock: deps.clock,
    }),
    editing: new MeetingEditing({ store, access, clock: deps.clock }),
  };
}
