import { useEffect, useRef, useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { LobbyExitReason } from '@conclave/protocol';
import { hrefOf } from '../router';
import { roomsClient } from '../session';
import { useStore } from '../store';
import type { FeedState } from './feed-state';
import type { ParticipantFeed } from './participant-feed';

/** How a wait ended without admission, as the screen names it. */
type Outcome = LobbyExitReason | 'failed';

/**
 * The lobby: "waiting for an organiser to let you in", Cancel, and a clear outcome. Room control pushes the
 * outcome through the participant feed; nothing is polled.
 */
export function LobbyScreen(props: { feed: ParticipantFeed; onAdmitted: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const feed = useStore(props.feed.store);
  const [leaving, setLeaving] = useState(false);
  const admitted = useRef(false);
  const outcome = outcomeOf(feed);

  useEffect(() => {
    if (feed.state === 'admitted' && !admitted.current) {
      admitted.current = true;
      props.onAdmitted();
    }
  }, [feed.state, props]);

  // An outcome replaces the heading: focus moves to it so a screen reader reads it at once.
  useEffect(() => {
    if (outcome !== undefined) document.querySelector<HTMLElement>('main h1')?.focus();
  }, [outcome]);

  async function cancel(): Promise<void> {
    setLeaving(true);
    // Whether or not room control answers, this page stops waiting.
    await roomsClient.leaveLobby(props.feed.meetingId, props.feed.participantId).catch(() => undefined);
    props.onCancel();
  }

  if (outcome !== undefined) {
    const minutes = Math.max(1, Math.round((feed.giveUpAfterSeconds ?? 60) / 60));
    return (
      <section aria-labelledby="lobby-title" className="lobby-screen">
        <h1 id="lobby-title" tabIndex={-1}>
          {t(`waitingRoom.outcome.${outcome}`, { count: minutes })}
        </h1>
        <p>{t(`waitingRoom.next.${outcome}`)}</p>
        <Link href={hrefOf('meetings')}>{t('app.backHome')}</Link>
      </section>
    );
  }

  const minutes =
    feed.giveUpAfterSeconds !== undefined ? Math.max(1, Math.round(feed.giveUpAfterSeconds / 60)) : undefined;
  return (
    <section aria-labelledby="lobby-title" className="lobby-screen">
      <h1 id="lobby-title" tabIndex={-1}>
        {t('lobby.title')}
      </h1>
      <p role="status">
        {feed.connection === 'reconnecting' ? t('waitingRoom.reconnecting') : t('lobby.waiting')}
      </p>
      {minutes !== undefined && <p>{t('waitingRoom.limit', { count: minutes })}</p>}
      <Button className="button secondary" onPress={() => void cancel()} isDisabled={leaving}>
        {t('lobby.cancel')}
      </Button>
    </section>
  );
}

function outcomeOf(feed: FeedState): Outcome | undefined {
  if (feed.meetingEnded) return 'ended';
  if (feed.state === 'refused') return 'refused';
  if (feed.state === 'left' || feed.state === 'removed') return feed.reason ?? 'withdrew';
  if (feed.connection === 'closed' && feed.state !== 'admitted') return 'failed';
  return undefined;
}
