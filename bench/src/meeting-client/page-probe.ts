import type { Page } from 'playwright-core';
import { withTimeout } from '../measure/with-timeout';

/** page.evaluate has no deadline of its own: a frozen page must not stall the benchmark. */
const EVALUATE_TIMEOUT_MS = 30_000;

/**
 * Run in every benchmark page before its own scripts, the same on the meeting client and on the minimal test
 * page: keeps each RTCPeerConnection (to read its statistics), the time the button labelled `enterLabel` was
 * pressed, and the time the first video frame was presented (requestVideoFrameCallback, on the
 * performance.now() timeline of the page's navigation). A page that publishes no camera shows only remote
 * video, and only frames that decrypted reach the decoder.
 */
export function probeScript(enterLabel: string): string {
  return `
    window.__bench = { connections: [], enterPressedAt: undefined, firstVideoFrameAt: undefined };
    const Original = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Original {
      constructor(...args) { super(...args); window.__bench.connections.push(this); }
    };
    document.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button') : null;
      if (button !== null && button.textContent.trim() === ${JSON.stringify(enterLabel)})
        window.__bench.enterPressedAt ??= performance.now();
    }, true);
    const watch = (node) => {
      const videos = node instanceof HTMLVideoElement ? [node] : node.querySelectorAll ? [...node.querySelectorAll('video')] : [];
      for (const video of videos)
        video.requestVideoFrameCallback((now) => { window.__bench.firstVideoFrameAt ??= now; });
    };
    new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(watch)))
      .observe(document, { childList: true, subtree: true });
  `;
}

/** When Enter was pressed and the first video frame shown, in ms since the page's navigation started. */
export interface JoinMarks {
  enterPressedAt?: number;
  firstVideoFrameAt?: number;
  /** When each fetch after the press finished (room control's join and ticket, the E2EE worker's script). */
  fetchedAt: { joinReply?: number; ticket?: number; workerScript?: number };
}

export function joinMarks(page: Page): Promise<JoinMarks> {
  return withTimeout(
    page.evaluate(() => {
      const bench = (window as unknown as { __bench: JoinMarks }).__bench;
      const after = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
        (entry) => entry.startTime >= (bench.enterPressedAt ?? Infinity),
      );
      const end = (pattern: RegExp) => after.find((entry) => pattern.test(entry.name))?.responseEnd;
      return {
        enterPressedAt: bench.enterPressedAt,
        firstVideoFrameAt: bench.firstVideoFrameAt,
        fetchedAt: {
          joinReply: end(/\/meetings\/[^/]+\/join$/),
          ticket: end(/\/ticket$/),
          workerScript: end(/\/e2ee-worker\.js$/),
        },
      };
    }),
    EVALUATE_TIMEOUT_MS,
    'reading join marks',
  );
}

/** What a page's media has done so far, from the statistics of its peer connections. */
export interface MediaWork {
  /** Remote video frames decoded, over every inbound video stream. */
  framesDecoded: number;
  /** Inbound video streams that decoded at least one frame. */
  decodingStreams: number;
  /** Camera frames encoded, over every simulcast layer. */
  framesEncoded: number;
}

export function mediaWork(page: Page): Promise<MediaWork> {
  return withTimeout(
    page.evaluate(async () => {
      const work = { framesDecoded: 0, decodingStreams: 0, framesEncoded: 0 };
      const connections = (window as unknown as { __bench: { connections: RTCPeerConnection[] } }).__bench
        .connections;
      for (const connection of connections) {
        if (connection.connectionState === 'closed') continue;
        (await connection.getStats()).forEach(
          (s: { type: string; kind?: string; framesDecoded?: number; framesEncoded?: number }) => {
            if (s.kind !== 'video') return;
            if (s.type === 'inbound-rtp') {
              work.framesDecoded += s.framesDecoded ?? 0;
              if ((s.framesDecoded ?? 0) > 0) work.decodingStreams++;
            }
            if (s.type === 'outbound-rtp') work.framesEncoded += s.framesEncoded ?? 0;
          },
        );
      }
      return work;
    }),
    EVALUATE_TIMEOUT_MS,
    'reading media statistics',
  );
}
