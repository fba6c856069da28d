import { useEffect, useState } from 'react';
import { Button, ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting, ParticipantE2eeState, RemoteTrack, RosterPerson } from '@conclave/client';
import { encryptionStatus } from './encryption-status';
import { useStore } from '../store';
import type { DeviceKind, LocalMedia } from './local-media';
import { AudioSink, VideoView } from './media-views';

/** The meeting: tiles, toolbar (microphone, camera, leave), the encryption indicator and its safety code. */
export function MeetingRoom(props: {
  meeting: Meeting;
  media: LocalMedia;
  title: string;
  classification: string | null;
  onLeave: () => void;
}) {
  const { t } = useTranslation();
  const { meeting } = props;
  const media = useStore(props.media.store);
  const [tracks, setTracks] = useState<RemoteTrack[]>([]);
  const [people, setPeople] = useState<RosterPerson[]>(meeting.people());
  const [states, setStates] = useState<ReadonlyMap<string, ParticipantE2eeState>>(new Map());
  const [safetyCode, setSafetyCode] = useState<string | undefined>();
  const [showCode, setShowCode] = useState(false);
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
  const nameOf = (participantId: string) =>
    people.find((person) => person.participantIds.includes(participantId))?.displayName ??
    t('meeting.someone');
  const remoteIds = [
    ...new Set([
      ...people.flatMap((person) => person.participantIds),
      ...tracks.map((track) => track.participantId),
    ]),
  ].filter((id) => id !== self);
  const status = encryptionStatus(safetyCode !== undefined, states, remoteIds);

  const toggle = async (kind: DeviceKind, on: boolean) => {
    if (on) {
      const track = await props.media.turnOn(kind);
      if (track !== undefined) await meeting.publish(kind, track).catch(() => undefined);
    } else {
      await meeting.unpublish(kind).catch(() => undefined);
      props.media.turnOff(kind);
    }
  };

  return (
    <section aria-labelledby="meeting-title" className="meeting-room">
      <div className="meeting-header">
        <h1 id="meeting-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.classification !== null && (
          <p className="classification" role="note">
            {t('meetings.classification', { label: props.classification })}
          </p>
        )}
        <div className={`encryption ${status}`} role="status">
          {t(`meeting.encryption.${status}`)}
        </div>
        <ToggleButton className="button secondary toggle" isSelected={showCode} onChange={setShowCode}>
          {t('meeting.safetyCode')}
        </ToggleButton>
      </div>
      <div role="status" className="notice">
        {reconnecting && t('meeting.reconnecting')}
      </div>
      {showCode && (
        <div className="safety-panel" role="region" aria-label={t('meeting.safetyCode')}>
          <p>{t('meeting.safetyCodeHelp')}</p>
          <p className="safety-code">{safetyCode ?? t('meeting.encryption.waiting')}</p>
        </div>
      )}
      <ul className="tiles" aria-label={t('meeting.participants')}>
        <li className="tile self">
          {media.camera !== undefined ? (
            <VideoView track={media.camera} label={t('meeting.you')} mirrored />
          ) : (
            <p className="tile-off">{t('prejoin.cameraOff')}</p>
          )}
          <p className="tile-name">{t('meeting.you')}</p>
        </li>
        {remoteIds.map((id) => {
          const video = tracks.find((track) => track.participantId === id && track.kind === 'video');
          const audio = tracks.filter((track) => track.participantId === id && track.kind === 'audio');
          const name = nameOf(id);
          return (
            <li key={id} className="tile">
              {video !== undefined ? (
                <VideoView track={video.track} label={t('meeting.videoOf', { name })} />
              ) : (
                <p className="tile-off">{t('meeting.noVideo')}</p>
              )}
              {audio.map((track) => (
                <AudioSink key={track.consumerId} track={track.track} />
              ))}
              <p className="tile-name">{name}</p>
            </li>
          );
        })}
      </ul>
      <div className="toolbar" role="group" aria-label={t('meeting.toolbar')}>
        <ToggleButton
          className="button secondary toggle"
          isSelected={media.microphone !== undefined}
          onChange={(on) => void toggle('microphone', on)}
        >
          {t('prejoin.microphone')}
        </ToggleButton>
        <ToggleButton
          className="button secondary toggle"
          isSelected={media.camera !== undefined}
          onChange={(on) => void toggle('camera', on)}
        >
          {t('prejoin.camera')}
        </ToggleButton>
        <Button className="button danger" onPress={props.onLeave}>
          {t('meeting.leave')}
        </Button>
      </div>
    </section>
  );
}
