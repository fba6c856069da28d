import type { Meeting } from '@conclave/client';
import type { DeviceKind, LocalMedia } from '../local-media';

/**
 * Switches to another camera or microphone during the call: the new track is opened and sent on the same
 * sender (no renegotiation, still encrypted), then the old one stops. A device that is off is only remembered.
 */
export function switchDevice(
  meeting: Meeting,
  media: LocalMedia,
  kind: DeviceKind,
  deviceId: string,
): Promise<void> {
  return media.switchTo(kind, deviceId, (track) => meeting.switchTrack(kind, track));
}
