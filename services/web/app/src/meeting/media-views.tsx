import { useEffect, useRef, useState } from 'react';

/** A video element showing one track (muted: sound plays through `AudioSink`). */
export function VideoView(props: { track: MediaStreamTrack; label: string; mirrored?: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const element = video.current;
    if (element === null) return;
    element.srcObject = new MediaStream([props.track]);
    void element.play().catch(() => undefined);
    return () => {
      element.srcObject = null;
    };
  }, [props.track]);
  return (
    <video
      ref={video}
      className={props.mirrored === true ? 'video mirrored' : 'video'}
      aria-label={props.label}
      autoPlay
      playsInline
      muted
    />
  );
}

/** Plays a remote audio track (no controls, nothing to see). */
export function AudioSink(props: { track: MediaStreamTrack }) {
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const element = audio.current;
    if (element === null) return;
    element.srcObject = new MediaStream([props.track]);
    void element.play().catch(() => undefined);
    return () => {
      element.srcObject = null;
    };
  }, [props.track]);
  return <audio ref={audio} autoPlay />;
}

/** The microphone's level (0–100), measured locally with an AnalyserNode; nothing leaves the page. */
export function LevelMeter(props: { track: MediaStreamTrack; label: string }) {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const context = new AudioContext();
    const source = context.createMediaStreamSource(new MediaStream([props.track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      const rms = Math.sqrt(sum / samples.length);
      setLevel(Math.min(100, Math.round(rms * 300)));
    }, 100);
    return () => {
      clearInterval(timer);
      source.disconnect();
      void context.close();
    };
  }, [props.track]);
  return (
    <meter className="level" min={0} max={100} low={5} high={80} value={level} aria-label={props.label} />
  );
}
