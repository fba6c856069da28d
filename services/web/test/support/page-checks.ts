import type { Page } from 'playwright-core';

/**
 * Polls `check` every 250 ms until it is true; a check that throws (an element not there yet) counts as not
 * yet. Fails after `timeoutMs`, naming what it waited for.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`timed out waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Frames the video element labelled `label` has shown (decoded and painted). */
export function framesShown(page: Page, label: string): Promise<number> {
  return page
    .getByLabel(label, { exact: true })
    .evaluate((video) => (video as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);
}
