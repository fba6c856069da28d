/**
 * Issue 12 §6: from pressing Enter on the pre-join screen to the first decrypted remote video frame on screen,
 * through the meeting client, real services and headless Chromium; also from the page load.
 */
import { until } from '../../../services/web/test/support/meeting-fixture';
import type { BenchApp } from './bench-app';
import { joinMarks, mediaWork } from './page-probe';

export interface JoinTrial {
  /** Enter pressed → first remote video frame presented. */
  fromEnterMs: number;
  /** Navigation of the join page (bundle, session resume, meeting chunk, pre-join) → first remote frame. */
  fromPageLoadMs: number;
  /** Navigation → Enter pressed: what loading the interface took before the harness could press. */
  pageLoadToEnterMs: number;
  /** From Enter: room control's join reply, the ticket, the E2EE worker's script loaded (null if not seen). */
  afterEnterMs: { joinReply: number | null; ticket: number | null; workerScript: number | null };
}

export interface JoinTiming {
  trials: JoinTrial[];
  medianFromEnterMs: number;
  medianFromPageLoadMs: number;
}

/**
 * A host in the meeting with its camera on; then, `trials` times, a fresh signed-in person loads the join page
 * (a new document), presses Enter as soon as it shows (no device of their own, so every video frame on their
 * screen is the host's, decrypted), and leaves.
 */
export async function measureJoin(
  bench: BenchApp,
  trials: number,
  log: (line: string) => void,
): Promise<JoinTiming> {
  const host = 'join-host';
  const joiners = Array.from({ length: trials }, (_, i) => `joiner-${i}`);
  await bench.addUser(host, true);
  const ids = await Promise.all(joiners.map((name) => bench.addUser(name)));
  const meetingId = await bench.createMeeting(host, ids);
  const hostPage = await bench.signedIn(host);
  await bench.enter(hostPage, meetingId, { camera: true, microphone: true });
  await until(
    () => mediaWork(hostPage),
    (work) => work.framesEncoded > 30,
    30_000,
    "the host's camera being encoded",
  );
  const rows: JoinTrial[] = [];
  try {
    for (const joiner of joiners) {
      const page = await bench.signedIn(joiner);
      await bench.enter(page, meetingId, { camera: false, microphone: false });
      const marks = await until(
        () => joinMarks(page),
        (m) => m.firstVideoFrameAt !== undefined,
        20_000,
        'the first remote video frame',
      );
      const trial = {
        fromEnterMs: Math.round(marks.firstVideoFrameAt! - marks.enterPressedAt!),
        fromPageLoadMs: Math.round(marks.firstVideoFrameAt!),
        pageLoadToEnterMs: Math.round(marks.enterPressedAt!),
        afterEnterMs: {
          joinReply: since(marks.enterPressedAt!, marks.fetchedAt.joinReply),
          ticket: since(marks.enterPressedAt!, marks.fetchedAt.ticket),
          workerScript: since(marks.enterPressedAt!, marks.fetchedAt.workerScript),
        },
      };
      log(
        `${joiner}: Enter → first frame ${trial.fromEnterMs} ms, page load → first frame ${trial.fromPageLoadMs} ms`,
      );
      rows.push(trial);
      await page.context().close();
    }
  } finally {
    await hostPage.context().close();
  }
  return {
    trials: rows,
    medianFromEnterMs: median(rows.map((r) => r.fromEnterMs)),
    medianFromPageLoadMs: median(rows.map((r) => r.fromPageLoadMs)),
  };
}

function since(start: number, at: number | undefined): number | null {
  return at === undefined ? null : Math.round(at - start);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}
