import { useEffect, useState } from 'react';
import type { Meeting, ParticipantE2eeState, RemoteTrack, RosterPerson } from '@conclave/client';
import { encryptionStatus, type EncryptionStatus } from './encryption-status';

/** What the meeting screen shows, kept up to date from the Meeting's events. */
export interface MeetingView {
  tracks: RemoteTrack[];
  people: RosterPerson[];
  states: ReadonlyMap<string, ParticipantE2eeState>;
  safetyCode: string | undefined;
  reconnecting: boolean;
  /** This client's participant id (undefined until the SFU accepted the ticket). */
  self: string | undefined;
  /** Every other participant session: in the encrypted group or sending media. */
  remoteIds: string[];
  status: EncryptionStatus;
  /** Participant sessions in the encrypted group now. */
  members: ReadonlySet<string>;
}

export function useMeetingView(meeting: Meeting): MeetingView {
  const [tracks, setTracks] = useState<RemoteTrack[]>([]);
  const [people, setPeople] = useState<RosterPerson[]>(meeting.people());
  const [states, setStates] = useState<ReadonlyMap<string, ParticipantE2eeState>>(new Map());
  const [safetyCode, setSafetyCode] = useState<string | undefined>();
  const [reconnecting, setReconnecting] = useState(false);

  useEffect(() => {
    const offs = [
      meeting.on('trackAdded', (track) => setTracks((list) => [...list, track])),
      meeting.on('trackRemoved', (id) =>
        setTracks((list) => list.filter((track) => track.consumerId !== id)),
      ),
      meeting.on('participants', setPeople),
      meeting.on('e2eeState', () => setStates(new Map(meeting.e2eeStates()))),
      meeting.on('epoch', (_epoch, code) => setSafetyCode(code)),
      meeting.on('reconnecting', () => {
        setReconnecting(true);
        setTracks([]);
        setSafetyCode(undefined);
      }),
      meeting.on('reconnected', () => setReconnecting(false)),
    ];
    void meeting.safetyCode().then((code) => setSafetyCode((current) => current ?? code));
    return () => offs.forEach((off) => off());
  }, [meeting]);

  const self = meeting.self?.participantId;
  const remoteIds = [
    ...new Set([
      ...people.flatMap((person) => person.participantIds),
      ...tracks.map((track) => track.participantId),
    ]),
  ].filter((id) => id !== self);
  const members = new Set(people.flatMap((person) => person.participantIds));
  const status = encryptionStatus(safetyCode !== undefined, states, remoteIds, members);
  return { tracks, people, states, safetyCode, reconnecting, self, remoteIds, status, members };
}

/** The display name of a participant session, from the roster. */
export function displayNameOf(people: readonly RosterPerson[], participantId: string): string | undefined {
  return people.find((person) => person.participantIds.includes(participantId))?.displayName;
}
