import type { TrackStats } from '@conclave/client';

export type Quality = 'good' | 'fair' | 'poor';

/** Connection quality from a track's statistics: loss and round trip as most meeting clients grade them. */
export function qualityOf(stats: Pick<TrackStats, 'roundTripMs' | 'loss'>): Quality {
  const rtt = stats.roundTripMs ?? 0;
  if (stats.loss >= 0.1 || rtt >= 500) return 'poor';
  if (stats.loss >= 0.02 || rtt >= 250) return 'fair';
  return 'good';
}

/**
 * The loss of the last interval from two cumulative readings (the counters only ever grow): what the person
 * sees change when the network does.
 */
export function recentLoss(
  before: Pick<TrackStats, 'packetsReceived' | 'packetsLost'> | undefined,
  now: Pick<TrackStats, 'packetsReceived' | 'packetsLost' | 'loss'>,
): number {
  if (before === undefined) return now.loss;
  const received = now.packetsReceived - before.packetsReceived;
  const lost = now.packetsLost - before.packetsLost;
  return received + lost > 0 ? Math.max(0, lost) / (received + lost) : 0;
}
