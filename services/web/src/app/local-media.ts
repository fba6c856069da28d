import type { MediaSource } from '@conclave/protocol';

/**
 * Publishes the microphone and camera the page's fragment asks for: `publish=audio,video` (default both; empty
 * for none) and `video=WxH` (default 1280x720, 30 fps; the camera is sent as simulcast), to the page's Meeting
 * (or the benchmark's Conference).
 */
export async function publishLocalMedia(
  target: { publish(source: MediaSource, track: MediaStreamTrack): Promise<unknown> },
  params: URLSearchParams,
): Promise<void> {
  const publish = (params.get('publish') ?? 'audio,video').split(',').filter(Boolean);
  if (publish.length === 0) return;
  const [width, height] = (params.get('video') ?? '1280x720').split('x').map(Number) as [number, number];
  const media = await navigator.mediaDevices.getUserMedia({
    audio: publish.includes('audio'),
    video: publish.includes('video') ? { width, height, frameRate: 30 } : false,
  });
  for (const track of media.getTracks()) {
    await target.publish(track.kind === 'audio' ? 'microphone' : 'camera', track);
  }
}
