/** A meeting of `participants`: subscriber j consumes every publisher but itself. */
export function meshSubscriptions(participants: number): number[][] {
  return Array.from({ length: participants }, (_, j) =>
    Array.from({ length: participants }, (_, i) => i).filter((i) => i !== j),
  );
}

/**
 * Playback speed for a room so that its forwarded packet rate stays under `maxForwardedPps`: 1 when the room
 * fits at the recording's rate, less otherwise. The cost at full rate is then the measured cost divided by it.
 */
export function roomRateScale(participants: number, publisherPps: number, maxForwardedPps: number): number {
  const forwarded = participants * (participants - 1) * publisherPps;
  return forwarded <= maxForwardedPps ? 1 : maxForwardedPps / forwarded;
}
