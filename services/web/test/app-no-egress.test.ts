import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { extname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { strongPassword } from '../../auth/test/support/auth-fixture';
import { DEFAULT_APP_DIR } from '../src/app-build';
import { cspViolations, scheduleSoon, startApp, type AppFixture } from './support/app-fixture';
import { waitFor } from './support/page-checks';

/**
 * Issue 12 §3: nothing leaves the appliance. A full meeting of two people, recorded from inside the browser:
 * every request (pages, workers, service workers), every WebSocket, every ICE server and ICE candidate.
 */

const UI = {
  en: {
    locale: 'en-GB',
    signIn: 'Sign in',
    submit: 'Sign in',
    username: 'User name',
    password: 'Password',
    meetings: 'My meetings',
    join: (title: string) => `Join ${title}`,
    prejoin: (title: string) => `Before you join: ${title}`,
    camera: 'Camera',
    microphone: 'Microphone',
    enter: 'Enter the meeting',
    encrypted: 'End-to-end encrypted',
    videoOf: (name: string) => `Video of ${name}`,
    leave: 'Leave',
    left: 'You left the meeting',
  },
  fr: {
    locale: 'fr-FR',
    signIn: 'Connexion',
    submit: 'Se connecter',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    meetings: 'Mes réunions',
    join: (title: string) => `Rejoindre ${title}`,
    prejoin: (title: string) => `Avant d’entrer : ${title}`,
    camera: 'Caméra',
    microphone: 'Micro',
    enter: 'Entrer dans la réunion',
    encrypted: 'Chiffré de bout en bout',
    videoOf: (name: string) => `Vidéo de ${name}`,
    leave: 'Quitter',
    left: 'Vous avez quitté la réunion',
  },
} as const;
type Language = keyof typeof UI;

/**
 * Test instrumentation, run before the page's own scripts: every RTCPeerConnection's ICE servers, the candidates
 * it gathers (local) and those it is given (remote: in SDP, as mediasoup-client does, or trickled).
 */
const RECORD_ICE = `
  window.__ice = { servers: [], local: [], remote: [], connections: [] };
  const candidatesOf = (sdp) => (sdp ?? '').split(/\\r?\\n/).filter((l) => l.startsWith('a=candidate:')).map((l) => l.slice(2));
  const Original = window.RTCPeerConnection;
  class RecordedPeerConnection extends Original {
    constructor(config, ...rest) {
      super(config, ...rest);
      window.__ice.servers.push(...(config?.iceServers ?? []).flatMap((s) => [].concat(s.urls)));
      window.__ice.connections.push(this);
      this.addEventListener('icecandidate', (e) => { if (e.candidate?.candidate) window.__ice.local.push(e.candidate.candidate); });
    }
    setConfiguration(config) {
      window.__ice.servers.push(...(config?.iceServers ?? []).flatMap((s) => [].concat(s.urls)));
      return super.setConfiguration(config);
    }
    setRemoteDescription(description) {
      window.__ice.remote.push(...candidatesOf(description?.sdp));
      return super.setRemoteDescription(description);
    }
    setLocalDescription(description) {
      window.__ice.local.push(...candidatesOf(description?.sdp));
      return super.setLocalDescription(description);
    }
    addIceCandidate(candidate, ...rest) {
      if (candidate?.candidate) window.__ice.remote.push(candidate.candidate);
      return super.addIceCandidate(candidate, ...rest);
    }
  }
  window.RTCPeerConnection = RecordedPeerConnection;
`;

interface IceRecord {
  servers: string[];
  local: string[];
  remote: string[];
  /** From getStats while media flows: the addresses ICE actually used. */
  pairs: { local: string; localType: string; remote: string; remoteType: string }[];
}

/** Everything one browser context reached for, or tried to. */
interface Egress {
  requests: string[];
  webSockets: string[];
  workers: string[];
  serviceWorkers: string[];
  cspConsole: string[];
}

function recordEgress(context: BrowserContext): Egress {
  const egress: Egress = { requests: [], webSockets: [], workers: [], serviceWorkers: [], cspConsole: [] };
  context.on('request', (request) => egress.requests.push(request.url()));
  context.on('serviceworker', (worker) => egress.serviceWorkers.push(worker.url()));
  context.on('page', (page) => watchPage(page, egress));
  return egress;
}

function watchPage(page: Page, egress: Egress): void {
  page.on('websocket', (socket) => egress.webSockets.push(socket.url()));
  page.on('worker', (worker) => egress.workers.push(worker.url()));
  // Violations inside workers never reach the document's `securitypolicyviolation` listener: the console has them.
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) egress.cspConsole.push(message.text());
  });
}

/** 127.0.0.0/8 (and ::1): where the embedded appliance's services listen. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** The address field of an ICE candidate line (RFC 8839 §5.1): foundation component transport priority address port typ type. */
function candidateParts(line: string): { address: string; type: string } {
  const fields = line.replace(/^candidate:/, '').split(' ');
  return { address: fields[4] ?? '', type: fields[fields.indexOf('typ') + 1] ?? '' };
}

let app: AppFixture;

before(async () => {
  app = await startApp({ sfu: true });
});

after(async () => {
  await app?.close();
});

async function openRecorded(language: Language): Promise<{ page: Page; egress: Egress }> {
  const context = await app.newContext(UI[language].locale);
  await context.addInitScript(RECORD_ICE);
  const egress = recordEgress(context);
  const page = await context.newPage();
  return { page, egress };
}

/** Sign-in page → My meetings → pre-join with camera and microphone on → in the meeting. */
async function signInAndEnter(page: Page, language: Language, user: string, title: string): Promise<void> {
  const ui = UI[language];
  await page.goto(`${app.web.url}/`);
  await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor();
  await page.getByRole('textbox', { name: ui.username }).fill(user);
  await page.getByLabel(ui.password, { exact: true }).fill(strongPassword(user));
  await page.getByRole('button', { name: ui.submit, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: ui.join(title) }).click();
  await page.getByRole('heading', { level: 1, name: ui.prejoin(title) }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: ui.camera, exact: true }).click();
  await page.getByRole('button', { name: ui.microphone, exact: true }).click();
  await page.getByRole('button', { name: ui.enter }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 60_000 });
}

async function iceRecord(page: Page): Promise<IceRecord> {
  return page.evaluate(async () => {
    const ice = (
      window as unknown as {
        __ice: { servers: string[]; local: string[]; remote: string[]; connections: RTCPeerConnection[] };
      }
    ).__ice;
    const pairs: IceRecord['pairs'] = [];
    for (const connection of ice.connections) {
      if (connection.connectionState === 'closed') continue;
      const stats = await connection.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((report: Record<string, unknown>) => byId.set(report.id as string, report));
      for (const report of byId.values()) {
        if (report.type !== 'candidate-pair' || report.state !== 'succeeded') continue;
        const local = byId.get(report.localCandidateId as string) ?? {};
        const remote = byId.get(report.remoteCandidateId as string) ?? {};
        pairs.push({
          local: String(local.address ?? local.ip),
          localType: String(local.candidateType),
          remote: String(remote.address ?? remote.ip),
          remoteType: String(remote.candidateType),
        });
      }
    }
    return { servers: ice.servers, local: ice.local, remote: ice.remote, pairs };
  });
}

/** Waits on a loaded machine get a minute. */
const waitLong = (what: string, check: () => Promise<boolean>) => waitFor(what, check, 60_000);

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`nothing leaves the appliance, in ${language}`, () => {
    it('a two-person meeting from sign-in to leaving sends every request, WebSocket and ICE candidate to the appliance only, with no CSP violation', async () => {
      const organiser = `nora-${language}`;
      const invitee = `egon-${language}`;
      await app.auth.addUser(organiser, strongPassword(organiser), ['organiser']);
      const inviteeId = await app.auth.addUser(invitee, strongPassword(invitee));
      const token = await app.apiToken(organiser, strongPassword(organiser));
      const title = `Closed network ${language}`;
      await scheduleSoon(app, token, {
        title,
        invitees: [inviteeId],
        autoAdmit: [inviteeId],
      });

      const nora = await openRecorded(language);
      const egon = await openRecorded(language);
      await signInAndEnter(nora.page, language, organiser, title);
      await signInAndEnter(egon.page, language, invitee, title);
      const ice: IceRecord[] = [];
      for (const [{ page }, other] of [
        [nora, invitee],
        [egon, organiser],
      ] as const) {
        await page.getByLabel(ui.videoOf(other), { exact: true }).waitFor({ timeout: 60_000 });
        await waitLong(`${other}'s video on screen`, () =>
          page
            .getByLabel(ui.videoOf(other), { exact: true })
            .evaluate((video) => (video as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames > 5),
        );
        await page.getByRole('status').filter({ hasText: ui.encrypted }).waitFor({ timeout: 60_000 });
        ice.push(await iceRecord(page));
      }
      for (const { page } of [nora, egon]) {
        await page.getByRole('button', { name: ui.leave }).click();
        await page.getByRole('heading', { level: 1, name: ui.left }).waitFor({ timeout: 60_000 });
      }

      const origin = new URL(app.web.url).origin;
      const applianceHost = new URL(app.web.url).hostname;
      for (const [who, { page, egress }] of [
        [organiser, nora],
        [invitee, egon],
      ] as const) {
        // What was recorded is a meeting: the page, its lazy meeting chunk, the API, signalling, the E2EE worker.
        assert.ok(
          egress.requests.some((url) => url.startsWith(`${origin}/api/rooms/`)),
          who,
        );
        assert.ok(
          egress.requests.some((url) => /\/chunks\/join-[^/]+\.js$/.test(url)),
          who,
        );
        assert.ok(egress.webSockets.length > 0, `${who} opened the signalling WebSocket`);
        assert.ok(
          egress.workers.some((url) => url === `${origin}/e2ee-worker.js`),
          JSON.stringify(egress.workers),
        );

        const elsewhere = egress.requests.filter(
          (url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'),
        );
        assert.deepEqual(elsewhere, [], `${who}: every request goes to the appliance's origin`);
        assert.deepEqual(
          egress.webSockets.filter((url) => {
            const host = new URL(url).hostname;
            return !(host === applianceHost || isLoopback(host));
          }),
          [],
          `${who}: every WebSocket goes to the appliance`,
        );
        assert.deepEqual(
          egress.workers.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('blob:')),
          [],
        );
        assert.deepEqual(egress.serviceWorkers, [], `${who}: no service worker`);
        assert.deepEqual(await cspViolations(page), [], `${who}: no CSP violation on the page`);
        assert.deepEqual(egress.cspConsole, [], `${who}: no CSP violation in a worker`);
        await page.context().close();
      }

      for (const [index, record] of ice.entries()) {
        const who = index === 0 ? organiser : invitee;
        // STUN/TURN servers: none, or the appliance's own relay; never a public STUN server.
        assert.deepEqual(
          record.servers.filter((url) => {
            const host = url.replace(/^(stuns?|turns?):/, '').replace(/[:?].*$/, '');
            return !(host === applianceHost || isLoopback(host));
          }),
          [],
          `${who}: ICE servers ${JSON.stringify(record.servers)}`,
        );
        assert.ok(record.remote.length > 0, `${who} was given the SFU's candidates`);
        assert.deepEqual(
          record.remote.filter((line) => {
            const { address } = candidateParts(line);
            return !(address === applianceHost || isLoopback(address));
          }),
          [],
          `${who}: every remote candidate is the appliance's`,
        );
        // A server-reflexive candidate would mean a STUN server outside answered: only host (and relay) ones.
        assert.deepEqual(
          record.local
            .map((line) => candidateParts(line).type)
            .filter((type) => type !== 'host' && type !== 'relay'),
          [],
          `${who}: local candidates ${JSON.stringify(record.local)}`,
        );
        assert.ok(record.pairs.length > 0, `${who}: media flowed over a connected candidate pair`);
        for (const pair of record.pairs) {
          assert.ok(isLoopback(pair.remote) || pair.remote === applianceHost, JSON.stringify(pair));
          assert.ok(pair.localType === 'host' || pair.localType === 'relay', JSON.stringify(pair));
        }
      }
    });
  });
}

/** Absolute URLs the built files may contain because they are names, never fetched: each with why. */
const IDENTIFIERS_NOT_FETCHED = [
  // This page's own host, filled in at run time (the signalling WebSocket's default).
  'wss://${location.host}/',
  // XML namespaces (React DOM creates SVG/MathML elements in them).
  'http://www.w3.org/',
  // RTP header extension URIs (RFC 8285): names in SDP, used by mediasoup-client.
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'http://www.webrtc.org/experiments/rtp-hdrext/',
  'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
  'urn:',
  // JSON Schema dialect identifiers ($schema values in zod's JSON Schema output).
  'http://json-schema.org/',
  'https://json-schema.org/',
  // Text of developer error messages (React's minified errors, react-i18next's warning).
  'https://react.dev/errors/',
  'https://react.i18next.com/',
  // zod's IPv6 check builds `new URL("http://[" + input + "]")` to validate an address; nothing is fetched.
  'http://[${',
];

async function builtFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && ['.js', '.css', '.html'].includes(extname(entry.name)))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the built meeting client', () => {
  it('has no absolute URL to another host in its scripts, styles or page, beyond names that are never fetched', async () => {
    const files = await builtFiles(DEFAULT_APP_DIR);
    assert.ok(
      files.some((file) => file.endsWith('client.js')),
      'the app is built',
    );
    const found: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/\b(?:https?|wss?|stuns?|turns?):\/{0,2}[^\s"'`)<>\\]+/g)) {
        if (!IDENTIFIERS_NOT_FETCHED.some((allowed) => match[0].startsWith(allowed)))
          found.push(`${file.slice(DEFAULT_APP_DIR.length)}: ${match[0]}`);
      }
    }
    assert.deepEqual(found, []);
  });

  it('loads its stylesheet, script and fonts from its own origin only', async () => {
    const html = await readFile(join(DEFAULT_APP_DIR, 'index.html'), 'utf8');
    const references = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(references.length >= 2, html);
    assert.deepEqual(
      references.filter((reference) => !reference.startsWith('/') || reference.startsWith('//')),
      [],
    );
    const css = await readFile(join(DEFAULT_APP_DIR, 'client.css'), 'utf8');
    assert.doesNotMatch(css, /@import/);
    assert.deepEqual(
      [...css.matchAll(/url\(\s*['"]?([^'")]+)/g)]
        .map((match) => match[1]!)
        .filter((url) => !url.startsWith('data:') && (/^[a-z]+:/i.test(url) || url.startsWith('//'))),
      [],
    );
  });
});
