import type { Page } from 'playwright-core';
import { strongPassword } from '../../../services/auth/test/support/auth-fixture';
import { startApp, type AppFixture } from '../../../services/web/test/support/app-fixture';
import { probeScript } from './page-probe';

/** The meeting client's English labels the harness presses, as a person would. */
const UI = {
  locale: 'en-GB',
  username: 'User name',
  password: 'Password',
  submit: 'Sign in',
  meetings: 'My meetings',
  camera: 'Camera',
  microphone: 'Microphone',
  enter: 'Enter the meeting',
  leave: 'Leave',
} as const;
/** Generous: on a busy 2-core machine a page loading next to 3 others in a call is slow. */
const WAIT_MS = 60_000;

/** The meeting client's server side as `npm start` runs it: real auth, rooms and SFU behind one HTTPS origin. */
export interface BenchApp {
  app: AppFixture;
  /** Creates an account (organiser when `organiser`) and returns its user id. */
  addUser(name: string, organiser?: boolean): Promise<string>;
  /** A meeting of `host` inviting `invitees`, every one admitted without waiting. */
  createMeeting(host: string, invitees: string[]): Promise<string>;
  /** A fresh browser context on the meeting client, signed in through its form, showing My meetings. */
  signedIn(user: string): Promise<Page>;
  /** The label of the pre-join's Enter button (the probe times its press). */
  enterLabel: string;
  /**
   * Loads the meeting's join screen as a new page load (the session resumes from its cookie), turns on the
   * devices asked for and presses Enter. Resolves once the meeting screen is shown.
   */
  enter(page: Page, meetingId: string, devices: { camera: boolean; microphone: boolean }): Promise<void>;
  /** The minimal test page (`/test/`), joined with a ticket from room control through the API. */
  openTestPage(user: string, meetingId: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startBenchApp(): Promise<BenchApp> {
  const app = await startApp({ sfu: true });
  const origin = new URL(app.web.url).origin;
  const newPage = async () => {
    const context = await app.newContext(UI.locale);
    await context.addInitScript(probeScript(UI.enter));
    return context.newPage();
  };
  return {
    app,
    enterLabel: UI.enter,
    addUser: (name, organiser = false) =>
      app.auth.addUser(name, strongPassword(name), organiser ? ['organiser'] : ['member']),
    async createMeeting(host, invitees) {
      const token = await app.apiToken(host, strongPassword(host));
      const startsAt = new Date(Date.now() + 60_000);
      const created = await app.rooms.api('POST', '/meetings', token, {
        title: `Bench ${startsAt.getTime()}`,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        timeZone: 'Europe/Paris',
        invitees,
        autoAdmit: invitees,
      });
      if (created.status !== 201) throw new Error(`meeting not created: ${JSON.stringify(created.body)}`);
      return created.body.id as string;
    },
    async signedIn(user) {
      const page = await newPage();
      await page.goto(`${origin}/`);
      await page.getByRole('textbox', { name: UI.username }).fill(user, { timeout: WAIT_MS });
      await page.getByLabel(UI.password, { exact: true }).fill(strongPassword(user));
      await page.getByRole('button', { name: UI.submit, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: UI.meetings }).waitFor({ timeout: WAIT_MS });
      return page;
    },
    async enter(page, meetingId, devices) {
      const enter = page.getByRole('button', { name: UI.enter });
      const load = async () => {
        await page.goto('about:blank');
        await page.goto(`${origin}/#/join/${encodeURIComponent(meetingId)}`);
        await enter.waitFor({ timeout: WAIT_MS });
      };
      // A starved machine can time a request out (the screen then says the meeting cannot be found): once more.
      await load()
        .catch(load)
        .catch(async (error: Error) => {
          const shown = await page
            .getByRole('main')
            .innerText()
            .catch(() => '(nothing)');
          throw new Error(`${error.message.split('\n')[0]}; the page shows: ${shown.replace(/\s+/g, ' ')}`);
        });
      if (devices.camera) await page.getByRole('button', { name: UI.camera, exact: true }).click();
      if (devices.microphone) await page.getByRole('button', { name: UI.microphone, exact: true }).click();
      await enter.click();
      await page.getByRole('button', { name: UI.leave }).waitFor({ timeout: WAIT_MS });
    },
    async openTestPage(user, meetingId) {
      const token = await app.apiToken(user, strongPassword(user));
      const joined = await app.rooms.api('POST', `/meetings/${meetingId}/join`, token);
      if (joined.body.state !== 'admitted') throw new Error(`not admitted: ${JSON.stringify(joined.body)}`);
      const participantId = joined.body.participantId as string;
      const ticket = await app.rooms.api(
        'POST',
        `/meetings/${meetingId}/participants/${participantId}/ticket`,
        token,
      );
      if (ticket.status !== 200) throw new Error(`no ticket: ${JSON.stringify(ticket.body)}`);
      const fragment = new URLSearchParams({
        sfu: (ticket.body.signallingUrl as string | null) ?? `${origin.replace('https:', 'wss:')}/signalling`,
        ticket: ticket.body.ticket as string,
        rooms: `${origin}/api/rooms`,
        token,
        publish: 'audio,video',
        video: '640x360',
      });
      const page = await newPage();
      await page.goto(`${origin}/test/#${fragment.toString()}`);
      return page;
    },
    close: () => app.close(),
  };
}
