import { useCallback, useEffect, useRef, useState } from 'react';
import type { Meeting } from '@conclave/client';
import type { Right } from '@conclave/protocol';

export interface ScreenShare {
  /** The person holds `produce:screen` now. */
  allowed: boolean;
  sharing: boolean;
  /** The browser refused to capture (the person cancelled the picker, or a policy forbids it). */
  refused: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Screen sharing while the right is held: published as the `screen` source, stopped when the browser's own
 * "stop sharing" ends the track, when the right is taken back, or when the meeting screen goes away.
 */
export function useScreenShare(meeting: Meeting): ScreenShare {
  const [rights, setRights] = useState<readonly Right[]>(meeting.self?.rights ?? []);
  const [track, setTrack] = useState<MediaStreamTrack | undefined>();
  const [refused, setRefused] = useState(false);
  const current = useRef<MediaStreamTrack | undefined>(undefined);

  const stop = useCallback(async () => {
    const shared = current.current;
    if (shared === undefined) return;
    current.current = undefined;
    setTrack(undefined);
    shared.stop();
    await meeting.unpublish('screen').catch(() => undefined);
  }, [meeting]);

  const start = useCallback(async () => {
    if (current.current !== undefined) return;
    setRefused(false);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch {
      setRefused(true);
      return;
    }
    const shared = stream.getVideoTracks()[0];
    if (shared === undefined) return;
    current.current = shared;
    setTrack(shared);
    shared.addEventListener('ended', () => {
      if (current.current === shared) void stop();
    });
    await meeting.publish('screen', shared).catch(() => void stop());
  }, [meeting, stop]);

  useEffect(() => {
    const offs = [
      meeting.on('hello', (self) => setRights(self.rights)),
      meeting.on('rightsChanged', (next) => {
        setRights(next);
        if (!next.includes('produce:screen')) void stop();
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [meeting, stop]);

  // Leaving the meeting screen releases the capture.
  useEffect(() => () => current.current?.stop(), []);

  return {
    allowed: rights.includes('produce:screen'),
    sharing: track !== undefined,
    refused,
    start,
    stop,
  };
}
