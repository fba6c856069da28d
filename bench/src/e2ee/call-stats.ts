import type { Page } from 'playwright-core';
import { withTimeout } from '../measure/with-timeout';

/** page.evaluate has no deadline of its own: a frozen page must not stall the benchmark. */
const EVALUATE_TIMEOUT_MS = 10_000;

/** What one page of a call has done so far, from its RTCRtp statistics and (product page) its E2EE counters. */
export interface PageWork {
  /** framesDecoded summed over the page's remote video streams. */
  framesDecoded: number;
  /** Remote video streams that have decoded at least one frame. */
  decodingStreams: number;
  /** Widths of the remote video being decoded now (which simulcast layer the SFU forwards). */
  decodedWidths: number[];
  /** framesEncoded summed over the camera's simulcast layers. */
  framesEncoded: number;
  /** framesEncoded per simulcast layer, by its width ('160', '320'…; a layer not encoding yet has none). */
  framesEncodedByWidth: Record<string, number>;
  /** Why the camera's encoder sends less than asked, per layer ('none', 'cpu', 'bandwidth'…). */
  qualityLimitations: string[];
  /** The E2EE worker's counters (product page only): frames encrypted and SFrame bytes they gained. */
  e2ee: { encrypted: number; bytesAdded: number } | null;
}

/** Reads PageWork through `window.conclave`, which both the product page and the E2EE-off page expose. */
export function readPageWork(page: Page): Promise<PageWork> {
  return withTimeout(readPageWorkUnbounded(page), EVALUATE_TIMEOUT_MS, 'reading call statistics from a page');
}

function readPageWorkUnbounded(page: Page): Promise<PageWork> {
  return page.evaluate(async () => {
    interface Stat {
      type: string;
      kind?: string;
      framesDecoded?: number;
      framesEncoded?: number;
      frameWidth?: number;
      qualityLimitationReason?: string;
    }
    const c = (
      window as unknown as {
        conclave: {
          conference?: {
            remoteTracks(): { consumerId: string; kind: string }[];
            consumerStats(id: string): Promise<RTCStatsReport> | undefined;
            producerStats(source: string): Promise<RTCStatsReport> | undefined;
          };
          counters?: { encrypted: number; bytesAdded: number };
        };
      }
    ).conclave;
    const work = {
      framesDecoded: 0,
      decodingStreams: 0,
      decodedWidths: [] as number[],
      framesEncoded: 0,
      framesEncodedByWidth: {} as Record<string, number>,
      qualityLimitations: [] as string[],
      e2ee: c.counters ? { encrypted: c.counters.encrypted, bytesAdded: c.counters.bytesAdded } : null,
    };
    for (const track of c.conference?.remoteTracks() ?? []) {
      if (track.kind !== 'video') continue;
      const report = await c.conference!.consumerStats(track.consumerId);
      report?.forEach((s: Stat) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
        work.framesDecoded += s.framesDecoded ?? 0;
        if ((s.framesDecoded ?? 0) > 0) work.decodingStreams++;
        work.decodedWidths.push(s.frameWidth ?? 0);
      });
    }
    const camera = await c.conference?.producerStats('camera');
    camera?.forEach((s: Stat) => {
      if (s.type !== 'outbound-rtp' || s.kind !== 'video') return;
      work.framesEncoded += s.framesEncoded ?? 0;
      if (s.frameWidth !== undefined) work.framesEncodedByWidth[s.frameWidth] = s.framesEncoded ?? 0;
      work.qualityLimitations.push(s.qualityLimitationReason ?? 'unknown');
    });
    return work;
  });
}

/** The page's fatal error, if its script failed (so a stuck wait can say why). */
export function pageError(page: Page): Promise<string | undefined> {
  return withTimeout(
    page.evaluate(() => (window as unknown as { conclave?: { error?: string } }).conclave?.error),
    EVALUATE_TIMEOUT_MS,
    'reading a page error',
  );
}
