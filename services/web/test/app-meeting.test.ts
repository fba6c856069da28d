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
import { framesShown, waitFor } from './support/page-checks';

/** What a person reads, per language: the test finds everything by role and accessible name. */
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
    preview: 'Your camera preview',
    level: 'Microphone level',
    testSound: 'Play a test sound',
    testSoundPlaying: 'Playing a test sound: you should hear three notes.',
    classification: 'Classification: Diffusion restreinte',
    enter: 'Enter the meeting',
    encrypted: 'End-to-end encrypted',
    safetyCode: 'Safety code',
    security: 'Security',
    videoOf: (name: string) => `Video of ${name}`,
    leave: 'Leave',
    left: 'You left the meeting',
    ended: 'The meeting was ended',
    removed: 'The organiser removed you from the meeting',
    titleHidden: 'Meeting (its title is shown once you are admitted)',
    lobby: 'Waiting room',
    waiting: 'Waiting for an organiser to let you in…',
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
    preview: 'Aperçu de votre caméra',
    level: 'Niveau du micro',
    testSound: 'Jouer un son de test',
    testSoundPlaying: 'Son de test en cours : vous devez entendre trois notes.',
    classification: 'Classification : Diffusion restreinte',
    enter: 'Entrer dans la réunion',
    encrypted: 'Chiffré de bout en bout',
    safetyCode: 'Code de sécurité',
    security: 'Sécurité',
    videoOf: (name: string) => `Vidéo de ${name}`,
    leave: 'Quitter',
    left: 'Vous avez quitté la réunion',
    ended: 'La réunion a été terminée',
    removed: 'L’organisateur vous a retiré de la réunion',
    titleHidden: 'Réunion (son titre s’affiche une fois que vous êtes admis)',
    lobby: 'Salle d’attente',
    waiting: 'En attente qu’un organisateur vous fasse entrer…',
  },
} as const;
type Language = keyof typeof UI;

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

let app: AppFixture;

before(async () => {
  app = await startApp({ sfu: true });
});

after(async () => {
  await app?.close();
});

async function signIn(language: Language, username: string, password: string): Promise<Page> {
  const ui = UI[language];
  const context = await app.newContext(ui.locale);
  await context.addInitScript(RECORD_TRACKS);
  const page = await context.newPage();
  await page.goto(`${app.web.url}/`);
  await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor();
  await page.getByRole('textbox', { name: ui.username }).fill(username);
  await page.getByLabel(ui.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: ui.submit, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
  return page;
}

function trackStates(page: Page): Promise<{ kind: string; readyState: string }[]> {
  return page.evaluate(() =>
    (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.map((track) => ({
      kind: track.kind,
      readyState: track.readyState,
    })),
  );
}

/** Pre-join: nothing opened until asked; camera and microphone on; turning the camera off stops its track. */
async function preJoin(page: Page, language: Language, title: string, shoot: boolean): Promise<void> {
  const ui = UI[language];
  await page.getByRole('button', { name: ui.join(title) }).click();
  await page.getByRole('heading', { level: 1, name: ui.prejoin(title) }).waitFor();
  await page.getByRole('note').filter({ hasText: ui.classification }).waitFor();
  const camera = page.getByRole('button', { name: ui.camera, exact: true });
  const microphone = page.getByRole('button', { name: ui.microphone, exact: true });
  assert.equal(await camera.getAttribute('aria-pressed'), 'false');
  assert.deepEqual(await trackStates(page), [], 'no device is opened before the person asks');

  await camera.click();
  await page.getByLabel(ui.preview).waitFor();
  assert.equal(await camera.getAttribute('aria-pressed'), 'true');
  await camera.click();
  await page.getByLabel(ui.preview).waitFor({ state: 'detached' });
  assert.deepEqual(await trackStates(page), [{ kind: 'video', readyState: 'ended' }]);

  await camera.click();
  await microphone.click();
  await page.getByRole('meter', { name: ui.level }).waitFor();
  await waitFor('the preview to play', async () => (await framesShown(page, ui.preview)) > 0);
  assert.equal(await microphone.getAttribute('aria-pressed'), 'true');
  // The speaker test plays a generated tone (nothing fetched) and says so while it plays.
  const testSound = page.getByRole('button', { name: ui.testSound });
  await testSound.click();
  await page.getByRole('status').filter({ hasText: ui.testSoundPlaying }).waitFor();
  await page.getByRole('status').filter({ hasText: ui.testSoundPlaying }).waitFor({ state: 'detached' });
  assert.equal(await testSound.isEnabled(), true, 'the test sound can be played again');
  assert.deepEqual(await seriousA11yViolations(page), [], 'accessibility of pre-join');
  if (shoot) await screenshot(page, `pre-join-${language}`);
  await page.getByRole('button', { name: ui.enter }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

async function safetyCode(page: Page, language: Language): Promise<string> {
  const ui = UI[language];
  const toggle = page.getByRole('button', { name: ui.security, exact: true });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  return (await page.getByRole('region', { name: ui.safetyCode }).textContent()) ?? '';
}

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`meeting screens in ${language}`, () => {
    it('an organiser and an auto-admitted invitee join from My meetings, see each other encrypted with the same safety code; the removed invitee reads so, and the organiser leaving ends every track', async () => {
      const organiser = `olga-${language}`;
      const invitee = `ivan-${language}`;
      await app.auth.addUser(organiser, strongPassword(organiser), ['organiser']);
      const inviteeId = await app.auth.addUser(invitee, strongPassword(invitee));
      const token = await app.apiToken(organiser, strongPassword(organiser));
      const title = `Crisis cell ${language}`;
      const startsAt = new Date(Date.now() + 60_000);
      const created = await app.rooms.api('POST', '/meetings', token, {
        title,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        timeZone: 'Europe/Paris',
        invitees: [inviteeId],
        autoAdmit: [inviteeId],
        classification: 'Diffusion restreinte',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));

      const olga = await signIn(language, organiser, strongPassword(organiser));
      const ivan = await signIn(language, invitee, strongPassword(invitee));
      await preJoin(olga, language, title, true);
      await preJoin(ivan, language, title, false);

      for (const [page, other] of [
        [olga, invitee],
        [ivan, organiser],
      ] as const) {
        await page.getByLabel(ui.videoOf(other), { exact: true }).waitFor({ timeout: 30_000 });
        await waitFor(
          `${other}'s video decoding`,
          async () => (await framesShown(page, ui.videoOf(other))) > 10,
        );
        await page.getByRole('status').filter({ hasText: ui.encrypted }).waitFor({ timeout: 30_000 });
      }
      let codes: string[] = [];
      await waitFor('the same safety code on both pages', async () => {
        codes = [await safetyCode(olga, language), await safetyCode(ivan, language)];
        return codes[0] === codes[1];
      });
      assert.match(codes[0]!, /\d/, 'a safety code is shown');
      assert.deepEqual(await seriousA11yViolations(olga), [], 'accessibility of the meeting');
      await screenshot(olga, `meeting-${language}`);

      const inMeeting = await app.rooms.api(
        'GET',
        `/meetings/${created.body.id as string}/participants`,
        token,
      );
      const ivanSession = (inMeeting.body as { participantId: string; userId: string }[]).find(
        (participant) => participant.userId === inviteeId,
      );
      assert.ok(ivanSession !== undefined, JSON.stringify(inMeeting.body));
      const removed = await app.rooms.api(
        'POST',
        `/meetings/${created.body.id as string}/participants/${ivanSession.participantId}/remove`,
        token,
      );
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      await ivan.getByRole('heading', { level: 1, name: ui.removed }).waitFor({ timeout: 15_000 });
      assert.deepEqual(
        (await trackStates(ivan)).filter((track) => track.readyState !== 'ended'),
        [],
        'the removed invitee has no device left open',
      );

      await olga.getByRole('button', { name: ui.leave }).click();
      await olga.getByRole('heading', { level: 1, name: ui.left }).waitFor();
      const states = await trackStates(olga);
      assert.ok(states.length >= 3, JSON.stringify(states));
      assert.deepEqual(
        states.filter((track) => track.readyState !== 'ended'),
        [],
        'every camera and microphone track is stopped after leaving',
      );
      assert.deepEqual(await cspViolations(olga), []);
      assert.deepEqual(await cspViolations(ivan), []);
      await olga.context().close();
      await ivan.context().close();
    });

    it('an invitee who is not auto-admitted waits in the lobby until an organiser admits her, enters, and reads "the meeting was ended" when the organiser ends it', async () => {
      const organiser = `otto-${language}`;
      const invitee = `wanda-${language}`;
      await app.auth.addUser(organiser, strongPassword(organiser), ['organiser']);
      const inviteeId = await app.auth.addUser(invitee, strongPassword(invitee));
      const token = await app.apiToken(organiser, strongPassword(organiser));
      const title = `Board ${language}`;
      const startsAt = new Date(Date.now() + 60_000);
      const created = await app.rooms.api('POST', '/meetings', token, {
        title,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        timeZone: 'Europe/Paris',
        invitees: [inviteeId],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const meetingId = created.body.id as string;
      const opened = await app.rooms.api('POST', `/meetings/${meetingId}/join`, token);
      assert.equal(opened.body.state, 'admitted', JSON.stringify(opened.body));

      const wanda = await signIn(language, invitee, strongPassword(invitee));
      await wanda.getByRole('button', { name: ui.join(ui.titleHidden) }).click();
      await wanda.getByRole('heading', { level: 1, name: ui.prejoin(ui.titleHidden) }).waitFor();
      await wanda.getByRole('button', { name: ui.enter }).click();
      await wanda.getByRole('heading', { level: 1, name: ui.lobby }).waitFor();
      await wanda.getByRole('status').filter({ hasText: ui.waiting }).waitFor();
      assert.deepEqual(await seriousA11yViolations(wanda), [], 'accessibility of the lobby');
      await screenshot(wanda, `lobby-${language}`);

      const admitted = await app.rooms.api('POST', `/meetings/${meetingId}/lobby/admit`, token, {
        all: true,
      });
      assert.equal(admitted.status, 200, JSON.stringify(admitted.body));
      await wanda.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 15_000 });
      await wanda.getByRole('status').filter({ hasText: ui.encrypted }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await trackStates(wanda), [], 'she entered without opening any device');
      await wanda.getByRole('button', { name: ui.microphone, exact: true }).click();
      await waitFor('the microphone to open', async () => (await trackStates(wanda)).length === 1);

      const ended = await app.rooms.api('POST', `/meetings/${meetingId}/end`, token);
      assert.equal(ended.status, 200, JSON.stringify(ended.body));
      await wanda.getByRole('heading', { level: 1, name: ui.ended }).waitFor({ timeout: 15_000 });
      assert.deepEqual(await trackStates(wanda), [{ kind: 'audio', readyState: 'ended' }]);
      assert.deepEqual(await cspViolations(wanda), []);
      await wanda.context().close();
    });
  });
}
