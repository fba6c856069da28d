import { useTranslation } from 'react-i18next';
import type { LocalMediaState } from './local-media';
import { AudioSink, VideoView } from './media-views';
import { TileE2ee } from './tile-e2ee';
import { displayNameOf, type MeetingView } from './use-meeting-view';

/** The tiles: this person first, then every other participant session with its video and sound. */
export function Stage(props: { view: MeetingView; local: LocalMediaState }) {
  const { t } = useTranslation();
  const { tracks, people, remoteIds } = props.view;
  return (
    <ul className="tiles" aria-label={t('meeting.participants')}>
      <li className="tile self">
        {props.local.camera !== undefined ? (
          <VideoView track={props.local.camera} label={t('meeting.you')} mirrored />
        ) : (
          <p className="tile-off">{t('prejoin.cameraOff')}</p>
        )}
        <p className="tile-name">{t('meeting.you')}</p>
      </li>
      {remoteIds.map((id) => {
        const video = tracks.find((track) => track.participantId === id && track.kind === 'video');
        const audio = tracks.filter((track) => track.participantId === id && track.kind === 'audio');
        const name = displayNameOf(people, id) ?? t('meeting.someone');
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
            <TileE2ee view={props.view} participantId={id} />
          </li>
        );
      })}
    </ul>
  );
}
