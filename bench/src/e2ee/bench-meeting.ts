import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  launchChromium,
  startCredentialService,
  type ChromiumFixture,
  type CredentialServiceFixture,
} from '@conclave/testing';
import { startSfu, type SfuFixture } from '../../../services/sfu/test/support/sfu-fixture';
import { bundleWebClient } from '../../../services/web/src/bundle';
import { startWebServer, type WebServer } from '../../../services/web/src/static-server';
import { bundlePlainPage } from './plain-page/bundle-plain-page';

/** `product`: the real meeting page (E2EE, MLS). `plain`: the benchmark-only page with E2EE off. */
export type MeetingPage = 'product' | 'plain';

export interface BenchMeeting {
  chromium: ChromiumFixture;
  /** Opens `page` for a participant in a fresh browser context, joined with a fresh ticket. */
  open(user: string, room: string, page: MeetingPage, video: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * services/web's meeting fixture plus the benchmark's E2EE-off page served from the same origin: a real SFU,
 * both pages over HTTPS with the product's CSP, and one headless Chromium for every phase.
 */
export async function startBenchMeeting(): Promise<BenchMeeting> {
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const sfu: SfuFixture = await startSfu();
    cleanups.push(() => sfu.close());
    const credentials: CredentialServiceFixture = await startCredentialService({
      signer: sfu.credentials,
      cert: await readFile(join(sfu.dir, 'server.crt')),
      key: await readFile(join(sfu.dir, 'server.key')),
    });
    cleanups.push(() => credentials.close());
    const root = await mkdtemp(join(tmpdir(), 'conclave-bench-web-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    await bundleWebClient(root);
    await bundlePlainPage(root);
    const web: WebServer = await startWebServer({
      root,
      host: '127.0.0.1',
      port: 0,
      tls: { certFile: join(sfu.dir, 'server.crt'), keyFile: join(sfu.dir, 'server.key') },
      connectOrigins: [new URL(sfu.server.signallingUrl).origin, credentials.url],
    });
    cleanups.push(() => web.close());
    const chromium = await launchChromium();
    cleanups.push(() => chromium.close());
    return {
      chromium,
      async open(user, room, page, video) {
        const context = await chromium.newContext();
        const tab = await context.newPage();
        const participant = `${user}-web`;
        const ticket = await sfu.signer.sign({ user, room, participant });
        const fragment = new URLSearchParams({
          sfu: sfu.server.signallingUrl,
          ticket,
          rooms: credentials.url,
          token: credentials.tokenFor({ user, room, participant }),
          publish: 'audio,video',
          video,
        });
        await tab.goto(`${web.url}/${page === 'plain' ? 'plain.html' : ''}#${fragment.toString()}`);
        return tab;
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
