import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import {
  isFinalEvent,
  joinMeeting,
  roomControlIdentity,
  type Meeting,
  type MeetingEndReason,
} from '@conclave/client';
import { ROOMS_API_PREFIX, type MeetingSummary } from '@conclave/protocol';
import { hrefOf, navigate } from '../router';
import { accessToken, roomsClient } from '../session';
import { LocalMedia } from './local-media';
import { MeetingRoom } from './meeting-room';
import { PreJoin } from './pre-join';
import { addMeetingStrings } from '../locales/meeting-strings';
import { LobbyContext, lobbyContextFor, type LobbyContextValue } from './lobby-context';
import { LobbyScreen } from './lobby-screen';
import { ParticipantFeed } from './participant-feed';

type Phase =
  | { name: 'loading' }
  | { name: 'unknown' }
  | { name: 'prejoin'; meeting: MeetingSummary; busy: boolean; failed: boolean }
  | { name: 'lobby'; meeting: MeetingSummary; feed: ParticipantFeed }
  | { name: 'meeting'; meeting: Meeting; title: string; classification: string | null }
  | { name: 'ended'; reason: MeetingEndReason | 'lobby-refused' };

/** The path from "Join" to the meeting and out again: pre-join, lobby, the meeting, how it ended. */
export function Join(props: { meetingId: string }) {
  addMeetingStrings();
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ name: 'loading' });
  const media = useRef<LocalMedia>(undefined);
  media.current ??= new LocalMedia();
  const contexts = useRef<LobbyContextValue>(undefined);
  const live = useRef<{ meeting?: Meeting; worker?: Worker; feed?: ParticipantFeed; cancelled: boolean }>({
    cancelled: false,
  });

  useEffect(() => {
    const local = media.current!;
    const state = live.current;
    state.cancelled = false;
    roomsClient.listMine().then(
      (meetings) => {
        const meeting = meetings.find((m) => m.id === props.meetingId);
        setPhase(
          meeting === undefined
            ? { name: 'unknown' }
            : { name: 'prejoin', meeting, busy: false, failed: false },
        );
      },
      () => setPhase({ name: 'unknown' }),
    );
    return () => {
      // Leaving the screen leaves the meeting and stops every device.
      state.cancelled = true;
      if (state.meeting !== undefined && state.meeting.phase !== 'ended') void state.meeting.leave();
      state.worker?.terminate();
      state.feed?.close();
      local.stopAll();
    };
  }, [props.meetingId]);

  // A new phase puts focus on its heading.
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [phase.name]);

  async function connect(participantId: string, title: string, classification: string | null): Promise<void> {
    const first = await roomsClient.ticket(props.meetingId, participantId);
    if (live.current.cancelled) return;
    const worker = new Worker('/e2ee-worker.js');
    const meeting = joinMeeting({
      signallingUrl: first.signallingUrl ?? `wss://${location.host}/signalling`,
      ticket: first.ticket,
      // The appliance's TURN relay and this user's credential, given with each ticket.
      ...(first.iceServers !== undefined ? { iceServers: first.iceServers } : {}),
      fetchTicket: async () => {
        const next = await roomsClient.ticket(props.meetingId, participantId);
        return { ticket: next.ticket, iceServers: next.iceServers };
      },
      identity: roomControlIdentity({
        baseUrl: `${location.origin}${ROOMS_API_PREFIX}`,
        accessToken,
        meetingId: props.meetingId,
        participantId,
      }),
      worker,
    });
    live.current.meeting = meeting;
    live.current.worker = worker;
    const local = media.current!;
    for (const kind of ['microphone', 'camera'] as const) {
      void local.ready(kind).then((track) => {
        if (track !== undefined) return meeting.publish(kind, track).catch(() => undefined);
      });
    }
    meeting.on('ended', (reason) => {
      live.current.feed?.close();
      local.stopAll();
      worker.terminate();
      setPhase({ name: 'ended', reason });
    });
    setPhase({ name: 'meeting', meeting, title, classification });
  }

  async function enter(summary: MeetingSummary): Promise<void> {
    setPhase({ name: 'prejoin', meeting: summary, busy: true, failed: false });
    try {
      const reply = await roomsClient.join(props.meetingId);
      if (reply.state === 'admitted') {
        openFeed(reply.participantId);
        await connect(reply.participantId, reply.meeting.title, reply.meeting.classification);
        return;
      }
      setPhase({ name: 'lobby', meeting: summary, feed: openFeed(reply.participantId) });
    } catch {
      if (!live.current.cancelled) setPhase({ name: 'prejoin', meeting: summary, busy: false, failed: true });
    }
  }

  /** One lobby context per feed, so the meeting screen keeps its panel state across renders. */
  function lobbyContext(feed: ParticipantFeed | undefined): LobbyContextValue | undefined {
    if (feed === undefined) return undefined;
    if (contexts.current?.feed !== feed) contexts.current = lobbyContextFor(feed);
    return contexts.current;
  }

  /** Room control's push for this session, kept from the lobby through the meeting. */
  function openFeed(participantId: string): ParticipantFeed {
    live.current.feed?.close();
    const feed = new ParticipantFeed(props.meetingId, participantId);
    live.current.feed = feed;
    // A wait that ends without admission (refused, locked, gave up…) releases the camera and microphone.
    feed.on((event) => {
      if (isFinalEvent(event)) media.current!.stopAll();
    });
    return feed;
  }

  async function admitted(participantId: string): Promise<void> {
    try {
      const view = await roomsClient.get(props.meetingId);
      await connect(participantId, view.title, view.classification);
    } catch {
      if (!live.current.cancelled) setPhase({ name: 'unknown' });
    }
  }

  function cancel(): void {
    live.current.cancelled = true;
    media.current!.stopAll();
    navigate('meetings');
  }

  switch (phase.name) {
    case 'loading':
      return <p role="status">{t('app.loading')}</p>;
    case 'unknown':
      return (
        <>
          <h1 tabIndex={-1}>{t('prejoin.unknown')}</h1>
          <Link href={hrefOf('meetings')}>{t('app.backHome')}</Link>
        </>
      );
    case 'prejoin':
      return (
        <>
          <PreJoin
            meeting={phase.meeting}
            media={media.current}
            busy={phase.busy}
            onEnter={() => void enter(phase.meeting)}
            onCancel={cancel}
          />
          <div role="alert" className="error">
            {phase.failed && t('prejoin.failed')}
          </div>
        </>
      );
    case 'lobby':
      return (
        <LobbyScreen
          feed={phase.feed}
          onAdmitted={() => void admitted(phase.feed.participantId)}
          onCancel={cancel}
        />
      );
    case 'meeting':
      return (
        <LobbyContext.Provider value={lobbyContext(live.current.feed)}>
          <MeetingRoom
            meeting={phase.meeting}
            media={media.current}
            title={phase.title}
            classification={phase.classification}
            onLeave={() => void phase.meeting.leave()}
          />
        </LobbyContext.Provider>
      );
    case 'ended':
      return (
        <section aria-labelledby="ended-title">
          <h1 id="ended-title" tabIndex={-1}>
            {t(`ended.${phase.reason}`)}
          </h1>
          <p>{t('ended.keysErased')}</p>
          <Link href={hrefOf('meetings')}>{t('app.backHome')}</Link>
        </section>
      );
  }
}
