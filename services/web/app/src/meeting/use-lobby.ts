import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LobbyDecisionRequest, LobbyEntry } from '@conclave/protocol';
import { roomsClient } from '../session';
import { useStore } from '../store';
import { announce } from './announcer';
import { playArrivalChime } from './lobby-sound';
import type { ParticipantFeed } from './participant-feed';

/** The organiser's view of the lobby: who waits and the decisions; arrivals are announced and chimed. */
export interface LobbyView {
  organiser: boolean;
  waiting: LobbyEntry[];
  /** A decision is on its way to room control. */
  busy: boolean;
  failed: boolean;
  admit(selection: LobbyDecisionRequest): void;
  refuse(selection: LobbyDecisionRequest): void;
}

export function useLobby(feed: ParticipantFeed): LobbyView {
  const { t } = useTranslation();
  const state = useStore(feed.store);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(
    () =>
      feed.on((event) => {
        if (event.type !== 'lobby-arrived') return;
        announce(t('waitingRoom.panel.arrived', { name: event.entry.name }));
        playArrivalChime();
      }),
    [feed, t],
  );

  const decide = (decision: 'admit' | 'refuse', selection: LobbyDecisionRequest) => {
    setBusy(true);
    setFailed(false);
    // The stream removes the people decided on from the list; only a failure needs saying here.
    void roomsClient[decision](feed.meetingId, selection)
      .catch(() => setFailed(true))
      .finally(() => setBusy(false));
  };

  return {
    organiser: state.organiser,
    waiting: state.waiting,
    busy,
    failed,
    admit: (selection) => decide('admit', selection),
    refuse: (selection) => decide('refuse', selection),
  };
}
