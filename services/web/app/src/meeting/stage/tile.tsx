import { useId, type ReactNode } from 'react';
import { ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting, ParticipantE2eeState } from '@conclave/client';
import { VideoView } from '../media-views';
import type { StageTile } from './layout';
import { useTileLayer, useTileQuality } from './use-tile-media';

export interface TileProps {
  meeting: Meeting;
  tile: StageTile;
  /** The person's display name ("You" for this person). */
  name: string;
  video: MediaStreamTrack | undefined;
  /** The consumer behind `video` (remote tiles): its layer follows the tile's size. */
  videoConsumerId: string | undefined;
  /** A consumer to measure the connection by when there is no video (the microphone's). */
  statsConsumerId: string | undefined;
  micOff: boolean;
  e2ee: ParticipantE2eeState | undefined;
  speaking: boolean;
  big: boolean;
  pinned: boolean;
  onPin: (pinned: boolean) => void;
  /** What the tile says of its media's encryption (remote tiles). */
  children?: ReactNode;
}

/** One tile: video (or why there is none), name, microphone, speaking, encryption and connection states, pin. */
export function Tile(props: TileProps) {
  const { t } = useTranslation();
  const { tile, name } = props;
  const layerRef = useTileLayer(props.meeting, props.videoConsumerId);
  const quality = useTileQuality(props.meeting, props.statsConsumerId ?? props.videoConsumerId);
  const qualityId = useId();
  const screen = tile.kind === 'screen';
  const videoLabel = screen
    ? t('stage.screenOf', { name })
    : tile.self
      ? t('meeting.you')
      : t('meeting.videoOf', { name });
  const classes = ['tile', 'stage-tile', props.big ? 'big' : 'small', props.speaking ? 'speaking' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <li className={classes}>
      <div
        ref={layerRef}
        className="tile-body"
        role="group"
        aria-label={screen ? t('stage.screenTile', { name }) : name}
      >
        {props.video !== undefined ? (
          <VideoView track={props.video} label={videoLabel} mirrored={tile.self && !screen} />
        ) : (
          <p className="tile-off">{t('meeting.noVideo')}</p>
        )}
        {props.e2ee === 'failed' && (
          <p className="tile-e2ee-overlay failed">{t('stage.cannotDecrypt', { name })}</p>
        )}
        {props.e2ee === 'waiting-for-key' && (
          <p className="tile-e2ee-overlay">{t('stage.waitingForKeys', { name })}</p>
        )}
        <p className="tile-name">
          {screen ? t('stage.screenOf', { name }) : name}
          {props.speaking && <span className="tile-speaking"> · {t('stage.speaking')}</span>}
          {!screen && props.micOff && <span className="tile-mic-off"> · {t('stage.micOff')}</span>}
        </p>
        {props.children}
        {quality !== undefined && (
          <>
            <p className={`tile-quality ${quality.quality}`} aria-describedby={qualityId}>
              {t(`stage.quality.${quality.quality}`)}
            </p>
            <p id={qualityId} hidden>
              {t('stage.quality.details', {
                rtt: quality.roundTripMs ?? '–',
                loss: quality.lossPercent,
                height: quality.frameHeight ?? '–',
              })}
            </p>
          </>
        )}
        {!screen && (
          <ToggleButton
            className="button secondary toggle tile-pin"
            isSelected={props.pinned}
            onChange={props.onPin}
            aria-label={t('stage.pin', { name })}
          >
            {t('stage.pinShort')}
          </ToggleButton>
        )}
      </div>
    </li>
  );
}
