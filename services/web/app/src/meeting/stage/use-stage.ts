import { useCallback, useEffect, useRef, useState } from 'react';
import type { Meeting, RemoteTrack } from '@conclave/client';
import type { StageTile } from './layout';

/** Room kept under the stage for the toolbar, so a page of tiles fits on the screen with the controls. */
const TOOLBAR_RESERVE_PX = 96;

/** Who speaks now (null in silence) and who spoke last (the speaker layout keeps them on the big tile). */
export function useActiveSpeaker(meeting: Meeting): { now: string | undefined; last: string | undefined } {
  const [speaker, setSpeaker] = useState<{ now: string | undefined; last: string | undefined }>({
    now: undefined,
    last: undefined,
  });
  useEffect(
    () =>
      meeting.on('activeSpeaker', (participantId) =>
        setSpeaker((previous) => ({
          now: participantId ?? undefined,
          last: participantId ?? previous.last,
        })),
      ),
    [meeting],
  );
  return speaker;
}

/** The space the stage may fill: its width, and the height from its top to the bottom of the window. */
export function useStageSpace(): {
  ref: (element: HTMLElement | null) => void;
  width: number;
  height: number;
} {
  const [space, setSpace] = useState({ width: 0, height: 0 });
  const observer = useRef<ResizeObserver | undefined>(undefined);
  const element = useRef<HTMLElement | null>(null);
  const measure = useCallback(() => {
    const current = element.current;
    if (current === null) return;
    const rect = current.getBoundingClientRect();
    const width = Math.round(rect.width);
    const height = Math.max(
      0,
      Math.round(window.innerHeight - (rect.top + window.scrollY) - TOOLBAR_RESERVE_PX),
    );
    setSpace((previous) =>
      previous.width === width && previous.height === height ? previous : { width, height },
    );
  }, []);
  useEffect(() => {
    window.addEventListener('resize', measure);
    return () => {
      window.removeEventListener('resize', measure);
      observer.current?.disconnect();
    };
  }, [measure]);
  const ref = useCallback(
    (node: HTMLElement | null) => {
      observer.current?.disconnect();
      element.current = node;
      if (node === null) return;
      observer.current = new ResizeObserver(measure);
      observer.current.observe(node);
      measure();
    },
    [measure],
  );
  return { ref, ...space };
}

/**
 * Pauses on the SFU the video of tiles that are not on screen (another page), and resumes it when they come
 * back: nobody receives video they cannot see.
 */
export function usePauseHidden(
  meeting: Meeting,
  tracks: readonly RemoteTrack[],
  shown: readonly StageTile[],
) {
  const receiving = useRef(new Map<string, boolean>());
  useEffect(() => {
    const visible = new Set(shown.map((tile) => `${tile.kind}:${tile.participantId}`));
    const known = receiving.current;
    for (const track of tracks) {
      if (track.kind !== 'video') continue;
      const kind = track.source === 'screen' ? 'screen' : 'person';
      const wanted = visible.has(`${kind}:${track.participantId}`);
      // A consumer starts resumed (the client resumes it when it arrives).
      if ((known.get(track.consumerId) ?? true) === wanted) continue;
      known.set(track.consumerId, wanted);
      void meeting.setReceiving(track.consumerId, wanted).catch(() => undefined);
    }
    const current = new Set(tracks.map((track) => track.consumerId));
    for (const id of [...known.keys()]) if (!current.has(id)) known.delete(id);
  }, [meeting, tracks, shown]);
}
