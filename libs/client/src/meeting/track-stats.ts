/** What a receiver's statistics say about one remote track's connection (for the "connection quality" mark). */
export interface TrackStats {
  /** Round trip to the SFU (ms), from the selected ICE candidate pair; undefined until measured. */
  roundTripMs: number | undefined;
  /** Share of packets lost since the consumer started (0–1). */
  loss: number;
  /** The height of the frames received (video): which simulcast/SVC layer arrives now. */
  frameHeight: number | undefined;
  /** The received bitrate counters: packets received and lost so far. */
  packetsReceived: number;
  packetsLost: number;
}

interface StatsEntry {
  type: string;
  [key: string]: unknown;
}

/** Reads a receiver's RTCStatsReport (an `inbound-rtp` and the nominated candidate pair). */
export function trackStatsOf(report: Iterable<StatsEntry>): TrackStats | undefined {
  let inbound: StatsEntry | undefined;
  let roundTrip: number | undefined;
  for (const entry of report) {
    if (entry.type === 'inbound-rtp') inbound = entry;
    else if (
      entry.type === 'candidate-pair' &&
      (entry.nominated === true || entry.selected === true) &&
      typeof entry.currentRoundTripTime === 'number'
    )
      roundTrip = entry.currentRoundTripTime;
  }
  if (inbound === undefined) return undefined;
  const received = numberOr(inbound.packetsReceived, 0);
  const lost = Math.max(0, numberOr(inbound.packetsLost, 0));
  return {
    roundTripMs: roundTrip !== undefined ? Math.round(roundTrip * 1000) : undefined,
    loss: received + lost > 0 ? lost / (received + lost) : 0,
    frameHeight: typeof inbound.frameHeight === 'number' ? inbound.frameHeight : undefined,
    packetsReceived: received,
    packetsLost: lost,
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
