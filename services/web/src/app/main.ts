/**
 * The minimal meeting page: joins with a ticket, publishes camera and microphone, shows everyone's tiles with
 * their E2EE state, the safety code, the MLS roster and the chat. The choreography (signalling, MLS, media,
 * keys, rejoining) is `joinMeeting` in libs/client; this page only draws what the Meeting says. The full
 * interface is the React app; this page is what the browser tests and the benchmark drive (through
 * `window.conclave`).
 *
 * URL: https://…/#sfu=<wss url>&ticket=<join ticket>&rooms=<room control origin>&token=<access token>
 * [&publish=audio,video][&screen=1][&ice=<base64url JSON of the ticket's iceServers>][&policy=relay] (in the
 * fragment, so the ticket, token and TURN credential never reach a server log). Room control signs this session's
 * MLS credential, publishes the keys every member's credential is checked with, and issues a fresh ticket (with
 * fresh TURN credentials) when the page rejoins after its signalling connection dropped.
 */
import {
  joinMeeting,
  roomControlIdentity,
  type ChatMessage,
  type Conference,
  type FromWorker,
  type Meeting,
  type MeetingPhase,
  type MembershipChange,
  type ParticipantE2eeState,
  type RemoteTrack,
  type RosterPerson,
} from '@conclave/client';
import type { IceServers } from '@conclave/protocol';
import { publishLocalMedia } from './local-media';
import { roomControlTickets } from './room-control-tickets';
import { hideTrack, showTrack } from './tiles';

interface PageState {
  meeting?: Meeting;
  /** The current connection's media (replaced on every rejoin). */
  readonly conference?: Conference;
  safetyCode?: string;
  epoch?: string;
  /** Wall-clock time (ms) this page entered its current epoch. */
  epochAt?: number;
  /** Milestones of joining, in ms since the page started (performance.now()): for the benchmark. */
  joinTimings: { joinStarted?: number; hello?: number; firstEpoch?: number; firstRemoteVideoFrame?: number };
  /** KIDs our frames carried, per epoch (shown for verification; KIDs are public). */
  sendKids: string[];
  roster: string[];
  /** The roster by person: display name and device count (from room control's signed credentials). */
  people: RosterPerson[];
  /** Every membership change announced since joining. */
  announcements: MembershipChange[];
  states: Record<string, ParticipantE2eeState>;
  chat: ChatMessage[];
  counters?: Extract<FromWorker, { type: 'counters' }>;
  /** What the transform worker could not do (its media was dropped), in order. */
  e2eeErrors: Omit<Extract<FromWorker, { type: 'error' }>, 'type'>[];
  error?: string;
  removed?: string;
  /** The Meeting's phase, and every phase it went through. */
  phase?: MeetingPhase;
  phases: MeetingPhase[];
  /** How many times the page rejoined by itself after losing its signalling connection. */
  reconnections: number;
  /** Why the meeting ended (`left`, `removed-by-organiser`, `refused:<code>`…). */
  ended?: string;
  /** Server messages dropped because they failed validation. */
  invalidMessages: number;
  mediaResets: number;
}

const state: PageState = {
  roster: [],
  people: [],
  announcements: [],
  states: {},
  chat: [],
  mediaResets: 0,
  sendKids: [],
  joinTimings: {},
  e2eeErrors: [],
  phases: [],
  reconnections: 0,
  invalidMessages: 0,
  get conference() {
    return this.meeting?.conference;
  },
};
(window as unknown as { conclave: PageState }).conclave = state;

const $ = (id: string) => document.getElementById(id)!;

function setStatus(text: string): void {
  $('status').textContent = text;
}

function onWorkerError(error: PageState['e2eeErrors'][number]): void {
  state.e2eeErrors.push(error);
  console.error('conclave e2ee worker:', error.code, error.participantId ?? '', error.message);
  // A frame pipe also ends when its track is torn down (someone left): recorded and logged, not alerted.
  if (error.code === 'transform_failed') return;
  $('e2ee-error').textContent = `encryption problem (${error.code}): some media is not sent or not shown`;
}

function onE2eeState(participantId: string, e2eeState: ParticipantE2eeState): void {
  state.states[participantId] = e2eeState;
  for (const tile of document.querySelectorAll<HTMLElement>(
    `[data-participant="${CSS.escape(participantId)}"]`,
  )) {
    tile.dataset.e2ee = e2eeState;
  }
}

function onTrackAdded(track: RemoteTrack): void {
  const media = showTrack(track, state.states[track.participantId] ?? 'waiting-for-key');
  if (media instanceof HTMLVideoElement && state.joinTimings.firstRemoteVideoFrame === undefined) {
    // Only decrypted frames reach the decoder: the first one presented is the first decrypted remote frame.
    media.requestVideoFrameCallback(() => (state.joinTimings.firstRemoteVideoFrame ??= performance.now()));
  }
}

function renderChat(): void {
  $('chat').replaceChildren(
    ...state.chat.map((m) => {
      const item = document.createElement('li');
      item.textContent = `${m.userId}: ${m.text}`;
      return item;
    }),
  );
}

function renderPeople(): void {
  $('roster').replaceChildren(
    ...state.people.map((person) => {
      const item = document.createElement('li');
      item.textContent = `${person.displayName} (${person.userId})`;
      item.dataset.user = person.userId;
      item.dataset.devices = String(person.devices);
      if (person.devices > 1) {
        const devices = document.createElement('span');
        devices.className = 'devices';
        devices.textContent = ` · ${person.devices} devices`;
        item.append(devices);
      }
      return item;
    }),
  );
}

function announce(changes: MembershipChange[]): void {
  state.announcements.push(...changes);
  const text = changes
    .map((c) => `${c.displayName} (${c.userId}) ${c.kind === 'joined' ? 'joined' : 'left'}`)
    .join('; ');
  $('announcements').textContent = text;
}

/** The meeting and participant session a join ticket names (room control issued it; read, not verified). */
function ticketSession(ticket: string): { room: string; pid: string } | undefined {
  try {
    const claims = JSON.parse(atob(ticket.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as unknown;
    const { room, pid } = claims as { room?: unknown; pid?: unknown };
    return typeof room === 'string' && typeof pid === 'string' ? { room, pid } : undefined;
  } catch {
    return undefined;
  }
}

/** The ICE servers that came with the first ticket (`ice`, base64url JSON); the Meeting checks their shape. */
function ticketIceServers(encoded: string | null): IceServers | undefined {
  if (encoded === null) return undefined;
  try {
    return JSON.parse(atob(encoded.replace(/-/g, '+').replace(/_/g, '/'))) as IceServers;
  } catch {
    return undefined;
  }
}

const ENDINGS: Record<string, string> = {
  left: 'you left the meeting',
  'removed-by-organiser': 'the organiser removed you',
  'room-ended': 'the meeting was ended',
  replaced: 'you joined this meeting from elsewhere',
  refused: 'you cannot rejoin this meeting',
  unreachable: 'the meeting cannot be reached',
};

async function main(): Promise<void> {
  const params = new URLSearchParams(location.hash.slice(1));
  const sfu = params.get('sfu');
  const ticket = params.get('ticket');
  const rooms = params.get('rooms');
  const token = params.get('token');
  const session = ticket === null ? undefined : ticketSession(ticket);
  if (sfu === null || ticket === null || rooms === null || token === null || session === undefined) {
    setStatus('open this page from a meeting invitation');
    return;
  }
  history.replaceState(null, '', location.pathname);
  const room = { baseUrl: rooms, accessToken: token, meetingId: session.room, participantId: session.pid };
  const iceServers = ticketIceServers(params.get('ice'));

  state.joinTimings.joinStarted = performance.now();
  const meeting = joinMeeting({
    signallingUrl: sfu,
    ticket,
    ...(iceServers !== undefined ? { iceServers } : {}),
    ...(params.get('policy') === 'relay' ? { iceTransportPolicy: 'relay' as const } : {}),
    fetchTicket: roomControlTickets(room),
    identity: roomControlIdentity(room),
    worker: new Worker('/e2ee-worker.js'),
  });
  state.meeting = meeting;
  meeting.on('hello', () => (state.joinTimings.hello ??= performance.now()));
  meeting.on('e2eeState', onE2eeState);
  meeting.on('counters', (counters) => (state.counters = counters));
  meeting.on('workerError', onWorkerError);
  meeting.on('epoch', (epoch, safetyCode, members) => {
    state.joinTimings.firstEpoch ??= performance.now();
    state.epoch = epoch.toString();
    state.epochAt = Date.now();
    if (meeting.sendKid !== undefined) state.sendKids.push(meeting.sendKid.toString());
    state.safetyCode = safetyCode;
    state.roster = members.map((m) => m.userId);
    $('safety-code').textContent = safetyCode;
  });
  meeting.on('participants', (people) => {
    state.people = people;
    renderPeople();
  });
  meeting.on('membership', announce);
  meeting.on('chat', (message) => {
    state.chat.push(message);
    renderChat();
  });
  meeting.on('trackAdded', onTrackAdded);
  meeting.on('trackRemoved', hideTrack);
  meeting.on('mediaReset', () => state.mediaResets++);
  meeting.on('invalidMessage', (problem) => {
    state.invalidMessages++;
    console.warn(
      'conclave: dropped a malformed server message',
      problem.stage,
      problem.type ?? '',
      problem.paths,
    );
  });
  meeting.on('phase', (phase) => {
    state.phase = phase;
    state.phases.push(phase);
  });
  meeting.on('reconnecting', (attempt) => setStatus(`reconnecting… (attempt ${attempt})`));
  meeting.on('reconnected', () => {
    state.reconnections++;
    setStatus(`in meeting ${meeting.self?.roomId ?? ''}`);
  });
  meeting.on('ended', (reason, detail) => {
    state.ended = detail === undefined ? reason : `${reason}:${detail}`;
    if (reason === 'removed-by-organiser' || reason === 'room-ended') state.removed = reason;
    setStatus(ENDINGS[reason] ?? 'the meeting is over');
  });

  await meeting.joined;
  await publishLocalMedia(meeting, params);
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('chat-input') as HTMLInputElement;
    const text = input.value.trim();
    if (text === '') return;
    input.value = '';
    void meeting.sendChat(text);
  });
  setStatus(`in meeting ${meeting.self?.roomId ?? ''}`);
}

main().catch((error: unknown) => {
  state.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  setStatus(`error: ${state.error}`);
});
