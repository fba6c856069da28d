import { useEffect } from 'react';
import { ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { useStore } from '../store';
import { announce } from './announcer';
import { raisedHands } from './hands-state';
import { displayNameOf } from './use-meeting-view';

/**
 * The toolbar's "Raise hand" toggle; it also keeps the meeting's raised hands for tiles and the panel, and
 * announces every change politely.
 */
export function HandToggle(props: { meeting: Meeting }) {
  const { t } = useTranslation();
  const { meeting } = props;
  const hands = useStore(raisedHands);
  const self = meeting.self?.participantId;

  useEffect(() => {
    raisedHands.set(new Set(meeting.hands()));
    const offs = [
      meeting.on('hand', (participantId, raised, by) => {
        raisedHands.set(new Set(meeting.hands()));
        const mine = participantId === meeting.self?.participantId;
        const name = displayNameOf(meeting.people(), participantId) ?? t('meeting.someone');
        announce(
          mine
            ? t(raised ? 'hands.youRaised' : by === 'organiser' ? 'hands.loweredYours' : 'hands.youLowered')
            : t(raised ? 'hands.raised' : 'hands.lowered', { name }),
        );
      }),
      meeting.on('reconnecting', () => raisedHands.set(new Set())),
    ];
    return () => offs.forEach((off) => off());
  }, [meeting, t]);

  return (
    <ToggleButton
      className="button secondary toggle"
      aria-keyshortcuts="H"
      isSelected={self !== undefined && hands.has(self)}
      onChange={(raised) => void meeting.raiseHand(raised).catch(() => undefined)}
    >
      {t('hands.raise')}
    </ToggleButton>
  );
}

/** Raises this person's hand, or lowers it when raised (the H shortcut). */
export function toggleHand(meeting: Meeting): void {
  const self = meeting.self?.participantId;
  const raised = self !== undefined && meeting.hands().has(self);
  void meeting.raiseHand(!raised).catch(() => undefined);
}

/** "Hand raised" on a tile or a panel row, when it is. */
export function HandBadge(props: { participantId: string | undefined }) {
  const { t } = useTranslation();
  const hands = useStore(raisedHands);
  if (props.participantId === undefined || !hands.has(props.participantId)) return null;
  return (
    <span className="hand-badge">
      <span aria-hidden="true">✋</span> {t('hands.badge')}
    </span>
  );
}
