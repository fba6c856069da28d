import type { Meeting } from '@conclave/client';
import type { DeviceKind, LocalMedia } from '../local-media';

/**
 * Switches to another camera or microphone during the call: the old track is stopped, the new one opened and
 * sent on the same sender (no renegotiation, still encrypted). A device that is off is only remembered.
 */
export async function switchDevice(
  meeting: Meeting,
  media: LocalMedia,
  kind: DeviceKind,
  deviceId: string,
): Promise<void> {
  const wasOn = media.store.get()[kind] !== undefined;
  await media.choose(kind, deviceId);
  const track = media.store.get()[kind];
  if (wasOn && track !== undefined) await meeting.replaceTrack(kind, track);
  else if (wasOn) await meeting.unpublish(kind).catch(() => undefined);
}
