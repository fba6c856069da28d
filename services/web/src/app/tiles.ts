import type { RemoteTrack } from '@conclave/client';

/**
 * The tiles of the meeting page: one per participant and source (`tile-<participant>-<source>`), holding the
 * media elements of its tracks and, as `data-e2ee`, the participant's E2EE state when one is given.
 */
function tileFor(track: RemoteTrack, e2eeState: string | undefined): HTMLElement {
  const id = `tile-${track.participantId}-${track.source}`;
  let tile = document.getElementById(id);
  if (tile === null) {
    tile = document.createElement('div');
    tile.id = id;
    tile.className = 'tile';
    tile.dataset.participant = track.participantId;
    if (e2eeState !== undefined) tile.dataset.e2ee = e2eeState;
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = `${track.participantId} · ${track.source}`;
    tile.append(label);
    document.getElementById('tiles')!.append(tile);
  }
  return tile;
}

/** Plays a remote track in its tile (video muted: its sound comes with the audio track); returns the element. */
export function showTrack(track: RemoteTrack, e2eeState?: string): HTMLMediaElement {
  const tile = tileFor(track, e2eeState);
  const media = document.createElement(track.kind === 'video' ? 'video' : 'audio');
  media.id = `media-${track.consumerId}`;
  media.autoplay = true;
  media.muted = track.kind === 'video';
  (media as HTMLMediaElement & { playsInline: boolean }).playsInline = true;
  media.srcObject = new MediaStream([track.track]);
  tile.append(media);
  return media;
}

/** Removes a consumer's media element. */
export function hideTrack(consumerId: string): void {
  document.getElementById(`media-${consumerId}`)?.remove();
}
