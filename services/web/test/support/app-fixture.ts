import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { systemClock, writeSelfSignedCertificate } from '@conclave/server-kit';
import {
  launchChromium,
  startSlapd,
  type ChromiumFixture,
  type SlapdFixture,
  type SlapdOptions,
} from '@conclave/testing';
import {
  startAuthFixture,
  type AuthFixture,
  type FixtureOptions,
} from '../../../auth/test/support/auth-fixture';
import type { RoomsConfigInput } from '../../../rooms/src/config';
import { TicketIssuer } from '../../../rooms/src/tickets/ticket-issuer';
import { RecordingSfu, startRooms, type RoomsFixture } from '../../../rooms/test/support/rooms-fixture';
import { startSfu, type SfuFixture } from '../../../sfu/test/support/sfu-fixture';
import { buildMeetingApp, DEFAULT_APP_DIR } from '../../src/app-build';
import { bundleWebClient } from '../../src/bundle';
import { startWebServer, type WebServer } from '../../src/static-server';

/** Every `securitypolicyviolation` the page reports, kept on `window` for the test to read. */
const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber);
  });
`;

export interface AppFixture {
  auth: AuthFixture;
  rooms: RoomsFixture;
  web: WebServer;
  /** The web server's certificate (PEM), for clients outside the browser that verify it. */
  webCa: string;
  chromium: ChromiumFixture;
  /** The real SFU, when started with `{ sfu: true }` (rooms drives it through its internal API). */
  sfu?: SfuFixture;
  /** The real directory (slapd) auth signs people in against, when started with `{ directory }`. */
  slapd?: SlapdFixture;
  /** A fresh browser profile whose language is `locale` (navigator.language), recording CSP violations. */
  newContext(locale: string): Promise<BrowserContext>;
  /** Signs in through the API (not the page) and returns an access token. */
  apiToken(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The meeting client as a person meets it: real auth and rooms services behind the web server's one HTTPS
 * origin (`/api/auth`, `/api/rooms` proxied), the app built ahead of time, real headless Chromium.
 */
export async function startApp(
  options: {
    sfu?: boolean;
    sfuConfig?: Parameters<typeof startSfu>[0];
    /** Starts a real slapd with these users and groups; directory users sign in with their directory password. */
    directory?: SlapdOptions;
    /** Extra Chromium flags (e.g. a fake screen-capture source). */
    chromiumArgs?: string[];
    /** The auth service's configuration (SSO providers, throttle, token lifetimes). */
    auth?: FixtureOptions['config'];
    /** The web server's port, when the auth configuration must name it first (SSO redirect URIs). */
    webPort?: number;
    /** More of room control's configuration (its `turn` block, say), given a directory for its files. */
    roomsConfig?: (dir: string) => Record<string, unknown>;
    /** Extra room-control settings (e.g. a short lobby wait). */
    rooms?: Partial<RoomsConfigInput>;
  } = {},
): Promise<AppFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-app-'));
  const slapd = options.directory !== undefined ? await startSlapd(options.directory) : undefined;
  const authConfig = {
    ...(options.auth ?? {}),
    ...(slapd !== undefined ? { ldap: ldapConfig(slapd) } : {}),
  } as FixtureOptions['config'];
  const auth = await startAuthFixture(
    options.auth !== undefined || slapd !== undefined ? { config: authConfig } : {},
  );
  const jwksFile = join(dir, 'auth.jwks.json');
  await writeFile(jwksFile, await (await fetch(`${auth.url}/api/auth/.well-known/jwks.json`)).text());
  let sfu: SfuFixture | undefined;
  let rooms: RoomsFixture;
  if (options.sfu === true) {
    // Room control signs the tickets; the SFU trusts its key and is driven through its internal API.
    const ticketKeyFile = join(dir, 'tickets.key');
    const ticketJwks = join(dir, 'tickets.jwks.json');
    TicketIssuer.loadOrCreate(ticketKeyFile, 60, systemClock).writeJwks(ticketJwks);
    sfu = await startSfu(options.sfuConfig ?? {}, { jwksFile: ticketJwks });
    rooms = await startRooms({
      sfuInternal: { url: sfu.server.internalUrl, token: sfu.apiToken },
      config: {
        ...options.rooms,
        auth: { jwksFile },
        tickets: { keyFile: ticketKeyFile },
        ...(options.roomsConfig ? options.roomsConfig(dir) : {}),
      },
    });
  } else {
    rooms = await startRooms({ sfu: new RecordingSfu(), config: { ...options.rooms, auth: { jwksFile } } });
  }
  // The same cached build as `nx run meeting-app:build` (rebuilt only when its sources changed).
  const appDir = DEFAULT_APP_DIR;
  const testPageDir = join(dir, 'test-page');
  await Promise.all([buildMeetingApp(appDir), bundleWebClient(testPageDir)]);
  const tls = await writeSelfSignedCertificate(dir, { hosts: ['127.0.0.1', 'localhost'], days: 1 });
  const web = await startWebServer({
    root: testPageDir,
    appRoot: appDir,
    host: '127.0.0.1',
    port: options.webPort ?? 0,
    tls,
    connectOrigins: ['wss://127.0.0.1:9'],
    proxy: {
      auth: new URL(auth.url).origin,
      rooms: new URL(rooms.url).origin,
      ...(sfu !== undefined
        ? {
            signalling: new URL(sfu.server.signallingUrl).origin.replace('wss:', 'https:'),
            signallingCa: await readFile(join(sfu.dir, 'server.crt')),
          }
        : {}),
    },
  });
  const chromium = await launchChromium(options.chromiumArgs);
  return {
    auth,
    rooms,
    web,
    webCa: await readFile(tls.certFile, 'utf8'),
    chromium,
    ...(sfu !== undefined ? { sfu } : {}),
    ...(slapd !== undefined ? { slapd } : {}),
    async newContext(locale) {
      const context = await chromium.browser.newContext({ ignoreHTTPSErrors: true, locale });
      await context.addInitScript(RECORD_CSP_VIOLATIONS);
      return context;
    },
    async apiToken(username, password) {
      const reply = await auth.login(username, password);
      if (reply.body.kind !== 'tokens')
        throw new Error(`no tokens for ${username}: ${JSON.stringify(reply.body)}`);
      return reply.body.accessToken as string;
    },
    async close() {
      await chromium.close();
      await web.close();
      await rooms.close();
      await sfu?.close();
      await auth.close();
      await slapd?.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Auth's directory settings for the test slapd: StartTLS, its CA, the service account, users and groups. */
function ldapConfig(slapd: SlapdFixture) {
  return {
    url: slapd.ldapUrl,
    startTls: true,
    caFile: slapd.caFile,
    bindDn: slapd.bindDn,
    bindPasswordFile: slapd.bindPasswordFile,
    userBase: slapd.userBase,
    groupBase: slapd.groupBase,
    timeoutMs: 5_000,
  };
}

export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

/** Serious and critical accessibility violations (axe-core, WCAG 2.1 A/AA rules) on the page as it is now. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Writes a screenshot under docs/screenshots when CONCLAVE_SCREENSHOTS=1 (the committed images). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CONCLAVE_SCREENSHOTS !== '1') return;
  await page.screenshot({
    path: join(__dirname, '../../../../docs/screenshots', `${name}.png`),
    fullPage: true,
  });
}

/**
 * Schedules through room control's API a one-hour meeting starting in a minute (Europe/Paris) with `fields`
 * (title, invitees, autoAdmit, classification…), checks it was created and returns its id.
 */
export async function scheduleSoon(
  app: AppFixture,
  token: string,
  fields: Record<string, unknown>,
): Promise<string> {
  const startsAt = new Date(Date.now() + 60_000);
  const created = await app.rooms.api('POST', '/meetings', token, {
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
    timeZone: 'Europe/Paris',
    ...fields,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id as string;
}
