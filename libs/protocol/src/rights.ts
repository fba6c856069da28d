import { z } from 'zod';

/**
 * What a participant may do in a meeting. The SFU enforces these on the media itself (a producer is refused
 * or closed, a consumer is not created); the room-control service decides them.
 */
export const RIGHTS = [
  'produce:audio',
  'produce:video',
  'produce:screen',
  /** Receive the others' media. */
  'consume',
  /** Send in-meeting chat (MLS application messages). */
  'chat',
] as const;

export type Right = (typeof RIGHTS)[number];

export const rightSchema = z.enum(RIGHTS);
export const rightsSchema = z.array(rightSchema).max(RIGHTS.length);

/** Where a producer's media comes from; each source needs its own right. */
export const MEDIA_SOURCES = ['microphone', 'camera', 'screen', 'screen-audio'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];
export const mediaSourceSchema = z.enum(MEDIA_SOURCES);

/** The right a producer of this source requires. */
export function rightForSource(source: MediaSource): Right {
  switch (source) {
    case 'microphone':
      return 'produce:audio';
    case 'camera':
      return 'produce:video';
    case 'screen':
    case 'screen-audio':
      return 'produce:screen';
  }
}

/** The media kind a source must carry. */
export function kindForSource(source: MediaSource): 'audio' | 'video' {
  return source === 'microphone' || source === 'screen-audio' ? 'audio' : 'video';
}
