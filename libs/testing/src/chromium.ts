import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (apt `chromium`); never a downloaded browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface ChromiumFixture {
  browser: Browser;
  /** A fresh profile-less context that trusts nothing but accepts the test servers' self-signed certificates. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Real headless Chromium with fake camera and microphone, and no background network traffic (the machine
 * has no internet; tests talk to 127.0.0.1 only).
 */
export async function launchChromium(
  extraArgs: string[] = [],
  options: {
    /** Runs this instead of Chromium itself: a wrapper that execs it (inside a network namespace, say). */
    executablePath?: string;
  } = {},
): Promise<ChromiumFixture> {
  const profile = mkdtempSync(join(tmpdir(), 'conclave-chromium-'));
  const browser = await chromium.launch({
    executablePath: options.executablePath ?? CHROMIUM_PATH,
    headless: true,
    // SIGHUP reloads the services' certificates in tests that run them in-process: it must not close the browser.
    handleSIGHUP: false,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      `--disk-cache-dir=${join(profile, 'cache')}`,
      ...extraArgs,
    ],
  });
  return {
    browser,
    newContext: () => browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'] }),
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
