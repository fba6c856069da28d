import { useEffect, useRef } from 'react';
import { createStore } from '../../store';

/** The loudspeaker chosen in Settings (undefined: the system's default), shared by every remote sound. */
export const speakerOutput = createStore<{ deviceId: string | undefined }>({ deviceId: undefined });

type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

/** Plays a remote audio track on the chosen loudspeaker (no controls, nothing to see). */
export function StageAudio(props: { track: MediaStreamTrack; deviceId: string | undefined }) {
  const audio = useRef<SinkAudio>(null);
  useEffect(() => {
    const element = audio.current;
    if (element === null) return;
    element.srcObject = new MediaStream([props.track]);
    void element.play().catch(() => undefined);
    return () => {
      element.srcObject = null;
    };
  }, [props.track]);
  useEffect(() => {
    const element = audio.current;
    if (element?.setSinkId === undefined) return;
    void element.setSinkId(props.deviceId ?? '').catch(() => undefined);
  }, [props.deviceId]);
  return <audio ref={audio} autoPlay />;
}
