import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { IceServers, Right } from '@conclave/protocol';
import {
  launchChromium,
  startCredentialService,
  type ChromiumFixture,
  type CredentialServiceFixture,
} from '@conclave/testing';
import { startSfu, type SfuFixture } from '../../../sfu/test/support/sfu-fixture';
import { bundleWebClient } from '../../src/bundle';
import { startWebServer, type WebServer } from '../../src/static-server';

export interface MeetingFixture {
  sfu: SfuFixture;
  web: WebServer;
  chromium: ChromiumFixture;
  /** Stands in for room control's member-credential routes (each page's MLS identity). */
  credentials: CredentialServiceFixture;
  /** Opens the meeting page for a participant, joined with a fresh ticket. */
  open(
    user: string,
    room: string,
    options?: {
      participant?: string;
      rights?: Right[];
      publish?: string;
      video?: string;
      /** Script run in the page before its own (e.g. a client that misbehaves on purpose). */
      init?: string;
      /** Media only through the TURN relay (`iceTransportPolicy: 'relay'`). */
      relay?: boolean;
    },
  ): Promise<Page>;
  close(): Promise<void>;
}

/** A real SFU, the bundled web client over HTTPS, and real headless Chromium. */
export async function startMeeting(
  sfuOverrides: Parameters<typeof startSfu>[0] = {},
  sfuOptions: Parameters<typeof startSfu>[1] = {},
  meetingOptions: {
    /** ICE servers given with every ticket (the first one in the page's `ice` parameter), as room control does. */
    iceServers?: (session: { user: string; room: string; participant: string }) => IceServers;
  } = {},
): Promise<MeetingFixture> {
  const sfu = await startSfu(sfuOverrides, sfuOptions);
  const credentials = await startCredentialService({
    signer: sfu.credentials,
    cert: await readFile(join(sfu.dir, 'server.crt')),
    key: await readFile(join(sfu.dir, 'server.key')),
    tickets: ({ user, room, participant, rights }) =>
      sfu.signer.sign({ user, room, participant, ...(rights !== undefined ? { rights } : {}) }),
    ...(meetingOptions.iceServers !== undefined ? { iceServers: meetingOptions.iceServers } : {}),
  });
  const out = await mkdtemp(join(tmpdir(), 'conclave-web-'));
  await bundleWebClient(out);
  const web = await startWebServer({
    root: out,
    host: '127.0.0.1',
    port: 0,
    tls: { certFile: join(sfu.dir, 'server.crt'), keyFile: join(sfu.dir, 'server.key') },
    connectOrigins: [new URL(sfu.server.signallingUrl).origin, credentials.url],
  });
  const chromium = await launchChromium();
  return {
    sfu,
    web,
    chromium,
    credentials,
    async open(user, room, options = {}) {
      const context = await chromium.newContext();
      if (options.init !== undefined) await context.addInitScript(options.init);
      const page = await context.newPage();
      const participant = options.participant ?? `${user}-web`;
      const ticket = await sfu.signer.sign({
        user,
        room,
        participant,
        ...(options.rights ? { rights: options.rights } : {}),
      });
      const fragment = new URLSearchParams({
        sfu: sfu.server.signallingUrl,
        ticket,
        rooms: credentials.url,
        token: credentials.tokenFor({
          user,
          room,
          participant,
          ...(options.rights ? { rights: options.rights } : {}),
        }),
        publish: options.publish ?? 'audio,video',
        video: options.video ?? '1280x720',
      });
      if (meetingOptions.iceServers !== undefined) {
        const ice = meetingOptions.iceServers({ user, room, participant });
        fragment.set('ice', Buffer.from(JSON.stringify(ice)).toString('base64url'));
      }
      if (options.relay === true) fragment.set('policy', 'relay');
      await page.goto(`${web.url}/#${fragment.toString()}`);
      return page;
    },
    async close() {
      await chromium.close();
      await web.close();
      await credentials.close();
      await sfu.close();
      await rm(out, { recursive: true, force: true });
    },
  };
}

/** Reads page state exposed by the meeting page (`window.conclave`). */
export function pageState<T>(page: Page, read: string): Promise<T> {
  return page.evaluate(`(() => { const c = window.conclave; return ${read}; })()`) as Promise<T>;
}

/** What the page's receiver of one consumer reports (its inbound-rtp statistics). */
export interface InboundStats {
  participantId: string;
  consumerId: string;
  kind: string;
  packetsReceived: number;
  framesDecoded: number;
  frameWidth: number;
  audioLevel: number;
  totalAudioEnergy: number;
}

/** inbound-rtp statistics of every consumer on the page (`window.conclave.conference`). */
export async function inboundStats(page: Page): Promise<InboundStats[]> {
  return page.evaluate(async () => {
    const c = (
      window as unknown as {
        conclave: {
          conference?: {
            remoteTracks(): { consumerId: string; participantId: string; kind: string }[];
            consumerStats(id: string): Promise<RTCStatsReport> | undefined;
          };
        };
      }
    ).conclave;
    const out: InboundStats[] = [];
    for (const track of c.conference?.remoteTracks() ?? []) {
      const report = await c.conference!.consumerStats(track.consumerId);
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp') return;
        const n = (key: string) => (typeof s[key] === 'number' ? (s[key] as number) : 0);
        out.push({
          participantId: track.participantId,
          consumerId: track.consumerId,
          kind: track.kind,
          packetsReceived: n('packetsReceived'),
          framesDecoded: n('framesDecoded'),
          frameWidth: n('frameWidth'),
          audioLevel: n('audioLevel'),
          totalAudioEnergy: n('totalAudioEnergy'),
        });
      });
    }
    return out;
  });
}

/** Audio energy received from each participant (inbound-rtp totalAudioEnergy): above 0 means heard. */
export async function inboundAudioEnergy(page: Page): Promise<Record<string, number>> {
  const energy: Record<string, number> = {};
  for (const s of await inboundStats(page)) {
    if (s.kind === 'audio') energy[s.participantId] = (energy[s.participantId] ?? 0) + s.totalAudioEnergy;
  }
  return energy;
}

/** inbound-rtp video stats of every consumer on the page: frames decoded and frame size. */
export async function inboundVideo(page: Page): Promise<InboundStats[]> {
  return (await inboundStats(page)).filter((s) => s.kind === 'video');
}

export async function until<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}
