/**
 * The minimal meeting page: joins with a ticket, publishes camera and microphone, shows everyone's tiles with
 * their E2EE state, the safety code, the MLS roster and the chat. The full interface comes later; this page
 * is what the browser tests drive (through `window.conclave`).
 *
 * URL: https://…/#sfu=<wss url>&ticket=<join ticket>&rooms=<room control origin>&token=<access token>
 * [&publish=audio,video][&screen=1] (in the fragment, so the ticket and token never reach a server log). Room
 * control signs this session's MLS credential and publishes the keys every member's credential is checked with.
 */
import {
  Conference,
  E2eeSession,
  roomControlIdentity,
  SignallingClient,
  type ChatMessage,
  type MembershipChange,
  type RosterPerson,
  type FromWorker,
  type ParticipantE2eeState,
  type RemoteTrack,
} from '@conclave/client';
import { publishLocalMedia } from './local-media';
import { hideTrack, showTrack } from './tiles';

interface PageState {
  conference?: Conference;
  e2ee?: E2eeSession;
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
};
(window as unknown as { conclave: PageState }).conclave = state;

const $ = (id: string) => document.getElementById(id)!;

function setStatus(text: string): void {
  $('status').textContent = text;
}

function onWorkerError({ code, message, participantId }: Extract<FromWorker, { type: 'error' }>): void {
  state.e2eeErrors.push({ code, message, ...(participantId !== undefined ? { participantId } : {}) });
  console.error('conclave e2ee worker:', code, participantId ?? '', message);
  // A frame pipe also ends when its track is torn down (someone left): recorded and logged, not alerted.
  if (code === 'transform_failed') return;
  $('e2ee-error').textContent = `encryption problem (${code}): some media is not sent or not shown`;
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
  const worker = new Worker('/e2ee-worker.js');
  worker.addEventListener('message', ({ data }: MessageEvent<FromWorker>) => {
    if (data.type === 'counters') state.counters = data;
    else if (data.type === 'error') onWorkerError(data);
    else {
      state.states[data.participantId] = data.state;
      for (const tile of document.querySelectorAll<HTMLElement>(
        `[data-participant="${CSS.escape(data.participantId)}"]`,
      )) {
        tile.dataset.e2ee = data.state;
      }
    }
  });

  state.joinTimings.joinStarted = performance.now();
  const signalling = await SignallingClient.connect(new WebSocket(sfu));
  const hello = await signalling.hello(ticket);
  state.joinTimings.hello = performance.now();
  const e2ee = new E2eeSession(
    signalling,
    worker,
    { participantId: hello.participantId, userId: hello.userId },
    hello.e2ee,
    roomControlIdentity({
      baseUrl: rooms,
      accessToken: token,
      meetingId: session.room,
      participantId: session.pid,
    }),
  );
  const conference = new Conference(signalling, hello, worker);
  state.conference = conference;
  state.e2ee = e2ee;
  e2ee.on('epoch', (epoch, safetyCode, members) => {
    if (state.joinTimings.firstEpoch === undefined) {
      state.joinTimings.firstEpoch = performance.now();
      // Frames that arrived before our first keys were dropped: ask the senders for a fresh keyframe.
      void conference.requestKeyFrames();
    }
    state.epoch = epoch.toString();
    state.epochAt = Date.now();
    if (e2ee.sendKid !== undefined) state.sendKids.push(e2ee.sendKid.toString());
    state.safetyCode = safetyCode;
    state.roster = members.map((m) => m.userId);
    state.people = e2ee.people();
    $('safety-code').textContent = safetyCode;
    renderPeople();
  });
  e2ee.on('membership', announce);
  e2ee.on('chat', (message) => {
    state.chat.push(message);
    renderChat();
  });
  e2ee.on('removed', (reason) => {
    state.removed = reason;
  });
  conference.on('trackAdded', onTrackAdded);
  conference.on('trackRemoved', hideTrack);
  conference.on('mediaReset', () => {
    state.mediaResets++;
  });
  conference.on('removed', (reason) => {
    state.removed = reason;
    setStatus('you left the meeting');
    // Out of the meeting: every key goes, now (the group will rekey without us anyway).
    void e2ee.close();
  });
  signalling.onClose(() => {
    setStatus('disconnected');
    void e2ee.close();
  });

  // The MLS join (key package, Welcome) runs while the media transports connect.
  await Promise.all([conference.start(), e2ee.start()]);
  await publishLocalMedia(conference, params);
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('chat-input') as HTMLInputElement;
    const text = input.value.trim();
    if (text === '') return;
    input.value = '';
    void e2ee.sendChat(text).then(() => {
      state.chat.push({ from: hello.participantId, userId: hello.userId, text, epoch: e2ee.epoch ?? 0n });
      renderChat();
    });
  });
  setStatus(`in meeting ${hello.roomId}`);
}

main().catch((error: unknown) => {
  state.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  setStatus(`error: ${state.error}`);
});
