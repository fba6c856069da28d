import type { Meeting } from '@conclave/client';
import type { DeviceKind, LocalMedia } from './local-media';

/**
 * Turns a device on (and publishes it, encrypted) or off (unpublishes it and stops the track), as the toolbar's
 * toggles do; for the keyboard shortcuts.
 */
export async function toggleDevice(meeting: Meeting, media: LocalMedia, kind: DeviceKind): Promise<void> {
  if (media.store.get()[kind] === undefined) {
    const track = await media.turnOn(kind);
    if (track !== undefined) await meeting.publish(kind, track).catch(() => undefined);
  } else {
    await meeting.unpublish(kind).catch(() => undefined);
    media.turnOff(kind);
  }
}
