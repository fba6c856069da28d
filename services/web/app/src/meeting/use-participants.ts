import { useCallback, useEffect, useState } from 'react';
import type { Meeting } from '@conclave/client';
import type { MeetingView as RoomsMeetingView, ParticipantView, ProducerInfo } from '@conclave/protocol';
import { roomsClient } from '../session';
import type { MeetingView } from './use-meeting-view';

/** How often the panel re-reads roles and rights from room control (they change when someone is promoted). */
const REFRESH_MS = 5000;

export type E2eeLabel = 'encrypted' | 'waiting' | 'failed';
export type MicState = 'on' | 'muted' | 'off';
export type Role = ParticipantView['role'];

/** One participant session as the participants panel shows it. */
export interface PanelEntry {
  participantId: string;
  name: string;
  self: boolean;
  role: Role;
  e2ee: E2eeLabel;
  microphone: MicState;
  camera: boolean;
  sharing: boolean;
  /** Whether room control lets this session turn its camera on / share its screen. */
  mayUseCamera: boolean;
  mayShare: boolean;
}

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

  const haveKeys = view.safetyCode !== undefined;
  const ids = [
    ...(view.self !== undefined ? [view.self] : []),
    ...view.people.flatMap((person) => person.participantIds).filter((id) => id !== view.self),
  ];
  const entries = ids.map((participantId): PanelEntry => {
    const self = participantId === view.self;
    const person = view.people.find((p) => p.participantIds.includes(participantId));
    const rooms = views.find((v) => v.participantId === participantId);
    const mine = media.filter((producer) => producer.participantId === participantId);
    const microphone = mine.find((producer) => producer.source === 'microphone');
    const state = view.states.get(participantId);
    return {
      participantId,
      name: rooms?.name ?? person?.displayName ?? participantId,
      self,
      role: rooms?.role ?? 'participant',
      e2ee:
        state === 'failed'
          ? 'failed'
          : state === 'waiting-for-key' || !haveKeys
            ? 'waiting'
            : // A member of the current epoch holds its keys, with or without media to decrypt.
              'encrypted',
      microphone: microphone === undefined ? 'off' : microphone.paused ? 'muted' : 'on',
      camera: mine.some((producer) => producer.source === 'camera' && !producer.paused),
      sharing: mine.some((producer) => producer.source === 'screen'),
      mayUseCamera: rooms?.rights.includes('produce:video') ?? true,
      mayShare: rooms?.rights.includes('produce:screen') ?? false,
    };
  });
  return { entries, myRole, locked: settings?.locked, refresh };
}
