import { useCallback, useEffect, useState } from 'react';
import type { Meeting } from '@conclave/client';
import type { MeetingView as RoomsMeetingView, ParticipantView, ProducerInfo } from '@conclave/protocol';
import { panelEntries, type PanelEntry, type Role } from './panel-entries';
import { roomsClient } from '../session';
import type { MeetingView } from './use-meeting-view';

export type { PanelEntry } from './panel-entries';

/** How often the panel re-reads roles and rights from room control (they change when someone is promoted). */
const REFRESH_MS = 5000;

export interface Participants {
  entries: PanelEntry[];
  /** This client's role (organisers and co-organisers see the powers). */
  myRole: Role | undefined;
  locked: boolean | undefined;
  /** Reads roles, rights and the lock again (after an action). */
  refresh: () => void;
}

/**
 * The participants panel's data: the MLS roster (who is in the encrypted group), each member's E2EE state, its
 * microphone and camera from the SFU's producers, and roles and rights from room control.
 */
export function useParticipants(meeting: Meeting, view: MeetingView): Participants {
  const meetingId = meeting.self?.roomId;
  const [media, setMedia] = useState<ProducerInfo[]>(() => meeting.media());
  const [views, setViews] = useState<ParticipantView[]>([]);
  const [settings, setSettings] = useState<RoomsMeetingView | undefined>();
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => meeting.on('media', () => setMedia(meeting.media())), [meeting]);
  useEffect(() => {
    const offs = [meeting.on('participants', refresh), meeting.on('rightsChanged', refresh)];
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      clearInterval(timer);
      offs.forEach((off) => off());
    };
  }, [meeting, refresh]);

  const myRole = views.find((v) => v.participantId === view.self)?.role;
  const organiser = myRole === 'organiser' || myRole === 'co-organiser';
  useEffect(() => {
    if (meetingId === undefined) return;
    let current = true;
    roomsClient.participants(meetingId).then(
      (list) => current && setViews(list),
      () => undefined,
    );
    if (organiser)
      roomsClient.get(meetingId).then(
        (settings) => current && setSettings(settings),
        () => undefined,
      );
    return () => {
      current = false;
    };
  }, [meetingId, organiser, tick]);

  const entries = panelEntries({
    self: view.self,
    people: view.people,
    states: view.states,
    haveKeys: view.safetyCode !== undefined,
    media,
    views,
  });
  return { entries, myRole, locked: settings?.locked, refresh };
}
