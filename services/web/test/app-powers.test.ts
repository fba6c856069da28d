import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { strongPassword } from '../../auth/test/support/auth-fixture';
import {
  cspViolations,
  screenshot,
  seriousA11yViolations,
  scheduleSoon,
  startApp,
  type AppFixture,
} from './support/app-fixture';
import { waitFor } from './support/page-checks';

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
    enter: 'Enter the meeting',
    videoOf: (name: string) => `Video of ${name}`,
    toggle: (n: number) => `Participants (${n})`,
    panel: 'Participants',
    encrypted: 'Encrypted',
    micOn: 'Microphone on',
    muted: 'Muted',
    micOff: 'Microphone off',
    cameraOff: 'Camera off',
    youAreMuted: 'An organiser muted your microphone.',
    mute: (name: string) => `Mute ${name}`,
    askUnmute: (name: string) => `Ask ${name} to unmute`,
    asked: 'The organiser asks you to unmute',
    unmute: 'Unmute',
    turnOffCamera: (name: string) => `Turn off ${name}’s camera`,
    allowCamera: (name: string) => `Allow ${name}’s camera`,
    grantShare: (name: string) => `Let ${name} share the screen`,
    takeShare: (name: string) => `Stop ${name}’s screen sharing`,
    promote: (name: string) => `Make ${name} co-organiser`,
    promoteConfirm: 'Make co-organiser',
    coOrganiser: 'Co-organiser',
    remove: (name: string) => `Remove ${name}`,
    removeConfirm: 'Remove',
    meetingActions: 'Meeting actions',
    lock: 'Lock the meeting',
    end: 'End for everyone',
    endConfirm: 'End the meeting',
    removed: 'The organiser removed you from the meeting',
    ended: 'The meeting was ended',
    raiseHand: 'Raise hand',
    handRaised: 'Hand raised',
    raisedAnnounced: (name: string) => `${name} raised a hand`,
    lowerHand: (name: string) => `Lower ${name}’s hand`,
    lowerAll: 'Lower all hands',
    loweredYours: 'An organiser lowered your hand',
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
    videoOf: (name: string) => `Vidéo de ${name}`,
    toggle: (n: number) => `Participants (${n})`,
    panel: 'Participants',
    encrypted: 'Chiffré',
    micOn: 'Micro activé',
    muted: 'Micro coupé',
    micOff: 'Micro désactivé',
    cameraOff: 'Caméra désactivée',
    youAreMuted: 'Un organisateur a coupé votre micro.',
    mute: (name: string) => `Couper le micro de ${name}`,
    askUnmute: (name: string) => `Demander à ${name} d’activer son micro`,
    asked: 'L’organisateur vous demande d’activer votre micro',
    unmute: 'Activer mon micro',
    turnOffCamera: (name: string) => `Couper la caméra de ${name}`,
    allowCamera: (name: string) => `Autoriser la caméra de ${name}`,
    grantShare: (name: string) => `Autoriser ${name} à partager l’écran`,
    takeShare: (name: string) => `Retirer le partage d’écran à ${name}`,
    promote: (name: string) => `Nommer ${name} co-organisateur`,
    promoteConfirm: 'Nommer co-organisateur',
    coOrganiser: 'Co-organisateur',
    remove: (name: string) => `Retirer ${name}`,
    removeConfirm: 'Retirer',
    meetingActions: 'Actions sur la réunion',
    lock: 'Verrouiller la réunion',
    end: 'Terminer pour tous',
    endConfirm: 'Terminer la réunion',
    removed: 'L’organisateur vous a retiré de la réunion',
    ended: 'La réunion a été terminée',
    raiseHand: 'Lever la main',
    handRaised: 'Main levée',
    raisedAnnounced: (name: string) => `${name} a levé la main`,
    lowerHand: (name: string) => `Baisser la main de ${name}`,
    lowerAll: 'Baisser toutes les mains',
    loweredYours: 'Un organisateur a baissé votre main',
  },
} as const;
type Language = keyof typeof UI;

let app: AppFixture;

before(async () => {
  app = await startApp({ sfu: true });
});

after(async () => {
  await app?.close();
});

async function signIn(language: Language, username: string): Promise<Page> {
  const ui = UI[language];
  const context = await app.newContext(ui.locale);
  const page = await context.newPage();
  await page.goto(`${app.web.url}/`);
  await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor();
  await page.getByRole('textbox', { name: ui.username }).fill(username);
  await page.getByLabel(ui.password, { exact: true }).fill(strongPassword(username));
  await page.getByRole('button', { name: ui.submit, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
  return page;
}

/** Pre-join with the named devices turned on, then enter. */
async function enter(
  page: Page,
  language: Language,
  title: string,
  devices: ('camera' | 'microphone')[],
): Promise<void> {
  const ui = UI[language];
  await page.getByRole('button', { name: ui.join(title) }).click();
  await page.getByRole('heading', { level: 1, name: ui.prejoin(title) }).waitFor();
  for (const device of devices) {
    const toggle = page.getByRole('button', { name: ui[device], exact: true });
    await toggle.click();
    // The device is open (and will be published on entering) once the toggle reads pressed.
    await waitFor(`the ${device} on`, async () => (await toggle.getAttribute('aria-pressed')) === 'true');
  }
  await page.getByRole('button', { name: ui.enter }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 30_000 });
}

/** Opens the participants panel from the toolbar once `count` sessions are in the encrypted group. */
async function openPanel(page: Page, language: Language, count: number): Promise<Locator> {
  const ui = UI[language];
  const toggle = page.getByRole('button', { name: ui.toggle(count), exact: true });
  // Everyone's MLS join (a commit per arrival) comes first: generous under load.
  await toggle.waitFor({ timeout: 60_000 });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  const panel = page.getByRole('region', { name: ui.panel, exact: true });
  await panel.waitFor();
  return panel;
}

function row(panel: Locator, name: string): Locator {
  return panel.getByRole('listitem').filter({ hasText: name });
}

/** Waits until the panel row of `name` reads `text` (its state words). */
async function rowSays(panel: Locator, name: string, text: string): Promise<void> {
  await row(panel, name).filter({ hasText: text }).waitFor({ timeout: 30_000 });
}

/** The loudest sample (RMS over 20 ms) of every remote audio the page plays, measured over 1.5 s. */
function audioEnergy(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const context = new AudioContext();
    const analysers = [...document.querySelectorAll('audio')].flatMap((element) => {
      const stream = element.srcObject;
      if (!(stream instanceof MediaStream) || stream.getAudioTracks().length === 0) return [];
      const analyser = context.createAnalyser();
      context.createMediaStreamSource(stream).connect(analyser);
      return [analyser];
    });
    let loudest = 0;
    const samples = new Float32Array(1024);
    for (let i = 0; i < 75; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const analyser of analysers) {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const sample of samples) sum += sample * sample;
        loudest = Math.max(loudest, Math.sqrt(sum / samples.length));
      }
    }
    await context.close();
    return loudest;
  });
}

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`participants panel and organiser powers in ${language}`, () => {
    it('the organiser sees everyone encrypted, mutes a participant who cannot unmute until asked and then accepts, turns her camera off, grants share, lowers raised hands one and all, promotes her, removes a third who reads why, locks and unlocks, and ends the meeting for everyone', async () => {
      const [olga, pia, tom] = [`olga-p-${language}`, `pia-p-${language}`, `tom-p-${language}`];
      await app.auth.addUser(olga, strongPassword(olga), ['organiser']);
      const piaId = await app.auth.addUser(pia, strongPassword(pia));
      const tomId = await app.auth.addUser(tom, strongPassword(tom));
      const token = await app.apiToken(olga, strongPassword(olga));
      const title = `Powers ${language}`;
      const meetingId = await scheduleSoon(app, token, {
        title,
        invitees: [piaId, tomId],
        autoAdmit: [piaId, tomId],
      });

      const olgaPage = await signIn(language, olga);
      const piaPage = await signIn(language, pia);
      const tomPage = await signIn(language, tom);
      await enter(olgaPage, language, title, []);
      await enter(piaPage, language, title, ['camera', 'microphone']);
      await enter(tomPage, language, title, []);

      // Everyone in the encrypted group, each shown encrypted, with microphone and camera state.
      const panel = await openPanel(olgaPage, language, 3);
      for (const name of [olga, pia, tom]) await rowSays(panel, name, ui.encrypted);
      await rowSays(panel, pia, ui.micOn);
      await olgaPage.getByLabel(ui.videoOf(pia), { exact: true }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await seriousA11yViolations(olgaPage), [], 'accessibility of the participants panel');
      await screenshot(olgaPage, `participants-panel-${language}`);
      // At 320 px the open panel covers the screen and fits without horizontal scrolling.
      await olgaPage.setViewportSize({ width: 320, height: 640 });
      await waitFor(
        'the panel to fit 320 px',
        async () => (await olgaPage.evaluate(() => document.documentElement.scrollWidth)) <= 320,
      );
      assert.deepEqual(await seriousA11yViolations(olgaPage), [], 'the participants panel at 320 px');
      await olgaPage.setViewportSize({ width: 1280, height: 720 });
      const tomPanel = await openPanel(tomPage, language, 3);
      assert.equal(
        await tomPanel.getByRole('group', { name: ui.meetingActions }).count(),
        0,
        'a participant sees no organiser power',
      );

      // Mute: muted on every screen; turning her microphone off and on again does not bring it back.
      await panel.getByRole('button', { name: ui.mute(pia) }).click();
      await rowSays(panel, pia, ui.muted);
      await rowSays(tomPanel, pia, ui.muted);
      await piaPage.getByRole('status').filter({ hasText: ui.youAreMuted }).waitFor({ timeout: 30_000 });
      const piaMicrophone = piaPage.getByRole('button', { name: ui.microphone, exact: true });
      await piaMicrophone.click();
      await rowSays(panel, pia, ui.micOff);
      await piaMicrophone.click();
      await waitFor(
        'her microphone on again',
        async () => (await piaMicrophone.getAttribute('aria-pressed')) === 'true',
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal(
        await row(panel, pia).filter({ hasText: ui.micOff }).count(),
        1,
        'the SFU refused her microphone while the organiser mute holds',
      );

      // Ask to unmute: she sees the request and decides; her sound reaches the others.
      await panel.getByRole('button', { name: ui.askUnmute(pia) }).click();
      const prompt = piaPage.getByRole('group', { name: ui.asked });
      await prompt.waitFor({ timeout: 30_000 });
      assert.deepEqual(await seriousA11yViolations(piaPage), [], 'accessibility of the unmute prompt');
      await prompt.getByRole('button', { name: ui.unmute, exact: true }).click();
      await rowSays(panel, pia, ui.micOn);
      await waitFor('her sound at the organiser', async () => (await audioEnergy(olgaPage)) > 0.01);

      // Camera off: her video leaves every screen and the right goes with it.
      await panel.getByRole('button', { name: ui.turnOffCamera(pia) }).click();
      await rowSays(panel, pia, ui.cameraOff);
      await olgaPage
        .getByLabel(ui.videoOf(pia), { exact: true })
        .waitFor({ state: 'detached', timeout: 30_000 });
      await panel.getByRole('button', { name: ui.allowCamera(pia) }).waitFor({ timeout: 30_000 });

      // Screen sharing granted, as room control records it.
      await panel.getByRole('button', { name: ui.grantShare(pia) }).click();
      await panel.getByRole('button', { name: ui.takeShare(pia) }).waitFor({ timeout: 30_000 });
      const listed = await app.rooms.api('GET', `/meetings/${meetingId}/participants`, token);
      const piaView = (listed.body as { userId: string; rights: string[] }[]).find((p) => p.userId === piaId);
      assert.ok(piaView?.rights.includes('produce:screen'), JSON.stringify(listed.body));

      // Hands: raised from the toolbar, seen and announced; the organiser lowers one, then all.
      const piaHand = piaPage.getByRole('button', { name: ui.raiseHand, exact: true });
      const tomHand = tomPage.getByRole('button', { name: ui.raiseHand, exact: true });
      await piaHand.click();
      await olgaPage
        .getByRole('log')
        .filter({ hasText: ui.raisedAnnounced(pia) })
        .waitFor({ timeout: 30_000 });
      await tomHand.click();
      await rowSays(panel, pia, ui.handRaised);
      await rowSays(panel, tom, ui.handRaised);
      await rowSays(tomPanel, pia, ui.handRaised);
      await waitFor('her hand up', async () => (await piaHand.getAttribute('aria-pressed')) === 'true');
      await olgaPage
        .getByRole('group', { name: pia, exact: true })
        .filter({ hasText: ui.handRaised })
        .waitFor({ timeout: 30_000 });
      await panel.getByRole('button', { name: ui.lowerHand(tom) }).click();
      await waitFor('tom’s hand down', async () => (await tomHand.getAttribute('aria-pressed')) === 'false');
      await tomPage.getByRole('log').filter({ hasText: ui.loweredYours }).waitFor({ timeout: 30_000 });
      await panel.getByRole('button', { name: ui.lowerAll }).click();
      await waitFor('pia’s hand down', async () => (await piaHand.getAttribute('aria-pressed')) === 'false');
      await row(panel, pia)
        .filter({ hasText: ui.handRaised })
        .waitFor({ state: 'detached', timeout: 30_000 });

      // Promote, after a confirmation: she is co-organiser and now sees the powers herself.
      await panel.getByRole('button', { name: ui.promote(pia) }).click();
      await olgaPage.getByRole('alertdialog').getByRole('button', { name: ui.promoteConfirm }).click();
      await rowSays(panel, pia, ui.coOrganiser);
      const piaPanel = await openPanel(piaPage, language, 3);
      await piaPanel.getByRole('group', { name: ui.meetingActions }).waitFor({ timeout: 30_000 });

      // Remove the third, after a confirmation: he reads why, and leaves everyone's list.
      await panel.getByRole('button', { name: ui.remove(tom) }).click();
      const dialog = olgaPage.getByRole('alertdialog');
      assert.deepEqual(await seriousA11yViolations(olgaPage), [], 'accessibility of the confirmation');
      await dialog.getByRole('button', { name: ui.removeConfirm, exact: true }).click();
      await tomPage.getByRole('heading', { level: 1, name: ui.removed }).waitFor({ timeout: 30_000 });
      await row(panel, tom).waitFor({ state: 'detached', timeout: 30_000 });

      // Lock and unlock, a toggle with its pressed state.
      const lock = panel.getByRole('button', { name: ui.lock });
      await waitFor('the lock to be ready', async () => await lock.isEnabled());
      await lock.click();
      await waitFor('the lock pressed', async () => (await lock.getAttribute('aria-pressed')) === 'true');
      assert.equal((await app.rooms.api('GET', `/meetings/${meetingId}`, token)).body.locked, true);
      await lock.click();
      await waitFor('the lock released', async () => (await lock.getAttribute('aria-pressed')) === 'false');
      assert.equal((await app.rooms.api('GET', `/meetings/${meetingId}`, token)).body.locked, false);

      // End for everyone, after a confirmation.
      await panel.getByRole('button', { name: ui.end }).click();
      await olgaPage.getByRole('alertdialog').getByRole('button', { name: ui.endConfirm }).click();
      await piaPage.getByRole('heading', { level: 1, name: ui.ended }).waitFor({ timeout: 30_000 });
      await olgaPage.getByRole('heading', { level: 1, name: ui.ended }).waitFor({ timeout: 30_000 });

      for (const page of [olgaPage, piaPage, tomPage]) {
        assert.deepEqual(await cspViolations(page), []);
        await page.context().close();
      }
    });
  });
}
