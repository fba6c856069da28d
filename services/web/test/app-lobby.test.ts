import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { strongPassword } from '../../auth/test/support/auth-fixture';
import {
  cspViolations,
  screenshot,
  seriousA11yViolations,
  startApp,
  type AppFixture,
} from './support/app-fixture';

/** What a person reads, per language: the test finds everything by role and accessible name. */
const UI = {
  en: {
    locale: 'en-GB',
    signIn: 'Sign in',
    username: 'User name',
    password: 'Password',
    meetings: 'My meetings',
    join: (title: string) => `Join ${title}`,
    titleHidden: 'Meeting (its title is shown once you are admitted)',
    enter: 'Enter the meeting',
    camera: 'Camera',
    waitingRoom: 'Waiting room',
    waiting: 'Waiting for an organiser to let you in…',
    cancel: 'Cancel and go back',
    lobbyToggle: (count: number) => `Lobby (${count})`,
    lobbyPanel: 'Lobby',
    arrived: (name: string) => `${name} is waiting in the lobby`,
    admit: (name: string) => `Admit ${name}`,
    refuse: (name: string) => `Refuse ${name}`,
    nobody: 'Nobody is waiting.',
    refused: 'You were not let into the meeting',
    locked: 'The meeting was locked before you were let in',
    limit: 'If nobody lets you in within 1 minute, the wait stops.',
    gaveUp: 'Nobody let you in after 1 minute',
  },
  fr: {
    locale: 'fr-FR',
    signIn: 'Connexion',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    meetings: 'Mes réunions',
    join: (title: string) => `Rejoindre ${title}`,
    titleHidden: 'Réunion (son titre s’affiche une fois que vous êtes admis)',
    enter: 'Entrer dans la réunion',
    camera: 'Caméra',
    waitingRoom: 'Salle d’attente',
    waiting: 'En attente qu’un organisateur vous fasse entrer…',
    cancel: 'Annuler et revenir',
    lobbyToggle: (count: number) => `Salle d’attente (${count})`,
    lobbyPanel: 'Salle d’attente',
    arrived: (name: string) => `${name} attend dans la salle d’attente`,
    admit: (name: string) => `Admettre ${name}`,
    refuse: (name: string) => `Refuser ${name}`,
    nobody: 'Personne n’attend.',
    refused: 'Votre entrée dans la réunion a été refusée',
    locked: 'La réunion a été verrouillée avant votre admission',
    limit: 'Si personne ne vous fait entrer d’ici 1 minute, l’attente s’arrête.',
    gaveUp: 'Personne ne vous a fait entrer après 1 minute',
  },
} as const;
type Language = keyof typeof UI;

let app: AppFixture;

/** Test instrumentation: every track getUserMedia hands the page, to read their `readyState` later. */
const RECORD_TRACKS = `
  window.__tracks = [];
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    window.__tracks.push(...stream.getTracks());
    return stream;
  };
`;

function liveTracks(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.filter((t) => t.readyState === 'live')
        .length,
  );
}

/** A signed-in page, with every request URL it makes recorded. */
async function signIn(language: Language, username: string): Promise<{ page: Page; requests: string[] }> {
  const ui = UI[language];
  const context = await app.newContext(ui.locale);
  await context.addInitScript(RECORD_TRACKS);
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  await page.goto(`${app.web.url}/`);
  await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor();
  await page.getByRole('textbox', { name: ui.username }).fill(username);
  await page.getByLabel(ui.password, { exact: true }).fill(strongPassword(username));
  await page
    .getByRole('button', { name: ui.signIn === 'Sign in' ? 'Sign in' : 'Se connecter', exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
  return { page, requests };
}

/** From My meetings to the waiting room, without opening any device. */
async function waitInLobby(page: Page, language: Language, camera = false): Promise<void> {
  const ui = UI[language];
  await page.getByRole('button', { name: ui.join(ui.titleHidden) }).click();
  if (camera) {
    await page.getByRole('button', { name: ui.camera, exact: true }).click();
    const deadline = Date.now() + 20_000;
    while ((await liveTracks(page)) === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(await liveTracks(page), 1, 'the camera is on before entering');
  }
  await page.getByRole('button', { name: ui.enter }).click();
  await page.getByRole('heading', { level: 1, name: ui.waitingRoom }).waitFor({ timeout: 20_000 });
  await page.getByRole('status').filter({ hasText: ui.waiting }).waitFor();
}

/** Requests to the endpoints the lobby used to poll (one's own state, the inbox). */
function polled(requests: string[]): string[] {
  return requests.filter((r) => /\/participants\/[^/]+$|\/participants\/[^/]+\/events$/.test(r));
}

describe('lobby by push', () => {
  before(async () => {
    app = await startApp({ sfu: true });
  });
  after(async () => {
    await app?.close();
  });

  for (const language of ['en', 'fr'] as const) {
    const ui = UI[language];
    it(`in ${language}, the organiser hears of each arrival at once (badge, announcement) and admits one invitee, who enters without polling; another, camera on, is refused, reads so and her camera is released; a third cancels and the list empties; locking tells a fourth "locked"`, async (t) => {
      const organiser = `lorna-${language}`;
      const [admitted, refused, cancelling, lockedOut] = ['alex', 'bea', 'cyril', 'dina'].map(
        (name) => `${name}-${language}`,
      ) as [string, string, string, string];
      await app.auth.addUser(organiser, strongPassword(organiser), ['organiser']);
      const ids: string[] = [];
      for (const user of [admitted, refused, cancelling, lockedOut])
        ids.push(await app.auth.addUser(user, strongPassword(user)));
      const token = await app.apiToken(organiser, strongPassword(organiser));
      const title = `Lobby drill ${language}`;
      const startsAt = new Date(Date.now() + 60_000);
      const created = await app.rooms.api('POST', '/meetings', token, {
        title,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        timeZone: 'Europe/Paris',
        invitees: ids,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const meetingId = created.body.id as string;

      const { page: olga } = await signIn(language, organiser);
      await olga.getByRole('button', { name: ui.join(title) }).click();
      await olga.getByRole('button', { name: ui.enter }).click();
      await olga.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 30_000 });
      const toggle = (count: number) =>
        olga.getByRole('button', { name: ui.lobbyToggle(count), exact: true });
      await toggle(0).waitFor({ timeout: 20_000 });
      assert.equal(await toggle(0).getAttribute('aria-pressed'), 'false');

      // 1. Alex waits; the organiser is told without reloading, opens the panel and admits him.
      const alex = await signIn(language, admitted);
      await waitInLobby(alex.page, language);
      assert.deepEqual(await seriousA11yViolations(alex.page), [], 'accessibility of the lobby screen');
      await screenshot(alex.page, `lobby-waiting-${language}`);
      await toggle(1).waitFor({ timeout: 20_000 });
      await olga
        .getByRole('log')
        .filter({ hasText: ui.arrived(admitted) })
        .waitFor({ timeout: 20_000 });
      await toggle(1).click();
      assert.equal(await toggle(1).getAttribute('aria-pressed'), 'true');
      const panel = olga.getByRole('region', { name: ui.lobbyPanel });
      await panel.getByRole('button', { name: ui.admit(admitted) }).waitFor();
      assert.deepEqual(await seriousA11yViolations(olga), [], 'accessibility of the lobby panel');
      await screenshot(olga, `lobby-panel-${language}`);
      const pressedAt = Date.now();
      await panel.getByRole('button', { name: ui.admit(admitted) }).click();
      await alex.page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 20_000 });
      const enteredMs = Date.now() - pressedAt;
      assert.ok(enteredMs < 20_000, `entered ${enteredMs} ms after admission`);
      t.diagnostic(`admitted → meeting screen: ${enteredMs} ms`);
      assert.deepEqual(polled(alex.requests), [], 'nothing was polled while waiting');
      assert.equal(
        alex.requests.filter((r) => r.startsWith('GET ') && r.endsWith('/stream')).length,
        1,
        `one stream for the whole visit: ${JSON.stringify(alex.requests)}`,
      );
      await toggle(0).waitFor({ timeout: 20_000 });

      // 2. Bea, camera on, is refused: she reads so and her camera is released.
      const bea = await signIn(language, refused);
      await waitInLobby(bea.page, language, true);
      await panel.getByRole('button', { name: ui.refuse(refused) }).click({ timeout: 20_000 });
      await bea.page.getByRole('heading', { level: 1, name: ui.refused }).waitFor({ timeout: 20_000 });
      assert.deepEqual(polled(bea.requests), []);
      assert.equal(await liveTracks(bea.page), 0, 'the refusal released the camera');

      // 3. Cyril cancels: he is back on My meetings and the organiser's list empties.
      const cyril = await signIn(language, cancelling);
      await waitInLobby(cyril.page, language);
      await panel.getByRole('button', { name: ui.admit(cancelling) }).waitFor({ timeout: 20_000 });
      await cyril.page.getByRole('button', { name: ui.cancel }).click();
      await cyril.page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
      await panel.getByText(ui.nobody).waitFor({ timeout: 20_000 });
      await toggle(0).waitFor();

      // 4. Dina waits while the meeting is locked: she is told it is locked.
      const dina = await signIn(language, lockedOut);
      await waitInLobby(dina.page, language);
      await toggle(1).waitFor({ timeout: 20_000 });
      const locked = await app.rooms.api('POST', `/meetings/${meetingId}/lock`, token);
      assert.equal(locked.status, 200, JSON.stringify(locked.body));
      await dina.page.getByRole('heading', { level: 1, name: ui.locked }).waitFor({ timeout: 20_000 });
      assert.deepEqual(await seriousA11yViolations(dina.page), [], 'accessibility of a lobby outcome');
      await toggle(0).waitFor({ timeout: 20_000 });

      for (const page of [olga, alex.page, bea.page, cyril.page, dina.page]) {
        assert.deepEqual(await cspViolations(page), []);
        await page.context().close();
      }
      // Closing the pages closes their streams through the web server's proxy, up to room control.
      const deadline = Date.now() + 30_000;
      while (app.rooms.server.meetings.streams.size > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal(app.rooms.server.meetings.streams.size, 0, 'no stream is left open upstream');
    });
  }
});

describe('giving up a long wait', () => {
  before(async () => {
    app = await startApp({ rooms: { lobby: { giveUpAfterSeconds: 5 } } });
  });
  after(async () => {
    await app?.close();
  });

  for (const language of ['en', 'fr'] as const) {
    const ui = UI[language];
    it(`in ${language}, a person nobody lets in is told how long they waited once the configured time is up`, async () => {
      const organiser = `gus-${language}`;
      const invitee = `hana-${language}`;
      await app.auth.addUser(organiser, strongPassword(organiser), ['organiser']);
      const inviteeId = await app.auth.addUser(invitee, strongPassword(invitee));
      const token = await app.apiToken(organiser, strongPassword(organiser));
      const startsAt = new Date(Date.now() + 60_000);
      const created = await app.rooms.api('POST', '/meetings', token, {
        title: `Quiet ${language}`,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        timeZone: 'Europe/Paris',
        invitees: [inviteeId],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));

      const hana = await signIn(language, invitee);
      await hana.page.getByRole('button', { name: ui.join(ui.titleHidden) }).click();
      await hana.page.getByRole('button', { name: ui.enter }).click();
      await hana.page.getByText(ui.limit).waitFor({ timeout: 20_000 });
      await hana.page.getByRole('heading', { level: 1, name: ui.gaveUp }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await seriousA11yViolations(hana.page), [], 'accessibility of the outcome');
      assert.deepEqual(polled(hana.requests), []);
      assert.deepEqual(await cspViolations(hana.page), []);
      await hana.page.context().close();
    });
  }
});
