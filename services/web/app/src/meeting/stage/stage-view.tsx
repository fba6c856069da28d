import { useMemo, useState } from 'react';
import { Button, ToggleButton } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Meeting } from '@conclave/client';
import { useStore } from '../../store';
import type { LocalMediaState } from '../local-media';
import { HandBadge } from '../hand-toggle';
import { TileE2ee } from '../tile-e2ee';
import { displayNameOf, type MeetingView } from '../use-meeting-view';
import { layoutStage, tilesPerPage, type LayoutMode, type StageTile } from './layout';
import { speakerOutput, StageAudio } from './speaker-output';
import { Tile } from './tile';
import { useActiveSpeaker, usePauseHidden, useStageSpace } from './use-stage';

/**
 * The stage: grid or speaker layout, a pinned tile, a shared screen on the big tile, pages of tiles sized to
 * the space there is, the active speaker highlighted. Every remote sound plays whatever page is shown.
 */
export function StageView(props: { meeting: Meeting; view: MeetingView; local: LocalMediaState }) {
  const { t } = useTranslation();
  const { meeting, view, local } = props;
  const { tracks, people, remoteIds, states } = view;
  const self = view.self ?? 'self';
  const [mode, setMode] = useState<LayoutMode>('grid');
  const [pinned, setPinned] = useState<string | undefined>();
  const [page, setPage] = useState(0);
  const speaker = useActiveSpeaker(meeting);
  const space = useStageSpace();
  const output = useStore(speakerOutput);

  const tiles = useMemo<StageTile[]>(
    () => [
      { id: self, participantId: self, kind: 'person', self: true },
      ...remoteIds.map((id): StageTile => ({ id, participantId: id, kind: 'person', self: false })),
      ...tracks
        .filter((track) => track.source === 'screen' && track.kind === 'video')
        .map((track): StageTile => ({
          id: `screen:${track.participantId}`,
          participantId: track.participantId,
          kind: 'screen',
          self: false,
        })),
    ],
    [self, remoteIds.join(' '), tracks],
  );
  const withBig = mode === 'speaker' || pinned !== undefined || tiles.some((tile) => tile.kind === 'screen');
  const layout = layoutStage({
    tiles,
    mode,
    pinned,
    activeSpeaker: speaker.last,
    page,
    perPage: tilesPerPage(space.width, space.height, withBig),
  });
  const shown = useMemo(
    () => (layout.big !== undefined ? [layout.big, ...layout.tiles] : layout.tiles),
    [layout.big, layout.tiles.map((tile) => tile.id).join(' ')],
  );
  usePauseHidden(meeting, tracks, shown);

  const render = (tile: StageTile, big: boolean) => {
    const name = tile.self
      ? t('meeting.you')
      : (displayNameOf(people, tile.participantId) ?? t('meeting.someone'));
    const own = tracks.filter((track) => track.participantId === tile.participantId);
    const video = tile.self
      ? undefined
      : own.find(
          (track) =>
            track.kind === 'video' && track.source === (tile.kind === 'screen' ? 'screen' : 'camera'),
        );
    const microphone = own.find((track) => track.source === 'microphone');
    return (
      <Tile
        key={tile.id}
        meeting={meeting}
        tile={tile}
        name={name}
        video={tile.self ? local.camera : video?.track}
        videoConsumerId={video?.consumerId}
        statsConsumerId={video === undefined ? microphone?.consumerId : undefined}
        micOff={tile.self ? local.microphone === undefined : microphone === undefined}
        e2ee={tile.self ? undefined : states.get(tile.participantId)}
        speaking={speaker.now === tile.participantId && tile.kind === 'person'}
        big={big}
        pinned={pinned === tile.id}
        onPin={(on) => setPinned(on ? tile.id : undefined)}
      >
        {!tile.self && tile.kind === 'person' && <TileE2ee view={view} participantId={tile.participantId} />}
        {tile.kind === 'person' && <HandBadge participantId={tile.participantId} />}
      </Tile>
    );
  };

  return (
    <section className="stage" aria-label={t('stage.stage')} ref={space.ref}>
      <div className="stage-bar">
        <ToggleButton
          className="button secondary toggle"
          isSelected={mode === 'speaker'}
          onChange={(on) => setMode(on ? 'speaker' : 'grid')}
        >
          {t('stage.speakerLayout')}
        </ToggleButton>
        {layout.pages > 1 && (
          <nav className="stage-pages" aria-label={t('stage.pages')}>
            <Button
              className="button secondary"
              isDisabled={layout.page === 0}
              onPress={() => setPage(layout.page - 1)}
            >
              {t('stage.previousPage')}
            </Button>
            <span>{t('stage.pageOf', { page: layout.page + 1, pages: layout.pages })}</span>
            <Button
              className="button secondary"
              isDisabled={layout.page >= layout.pages - 1}
              onPress={() => setPage(layout.page + 1)}
            >
              {t('stage.nextPage')}
            </Button>
          </nav>
        )}
      </div>
      {layout.big !== undefined && <ul className="stage-big">{render(layout.big, true)}</ul>}
      <ul
        className={layout.big !== undefined ? 'tiles stage-strip' : 'tiles stage-grid'}
        aria-label={t('stage.tiles')}
      >
        {layout.tiles.map((tile) => render(tile, false))}
      </ul>
      {tracks
        .filter((track) => track.kind === 'audio')
        .map((track) => (
          <StageAudio key={track.consumerId} track={track.track} deviceId={output.deviceId} />
        ))}
    </section>
  );
}
