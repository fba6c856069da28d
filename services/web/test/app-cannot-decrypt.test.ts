import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { strongPassword } from '../../auth/test/support/auth-fixture';
import { publishPlain } from '../../sfu/test/support/plain-rtp';
import {
  cspViolations,
  screenshot,
  seriousA11yViolations,
  scheduleSoon,
  startApp,
  type AppFixture,
} from './support/app-fixture';
import { framesShown, waitFor } from './support/page-checks';

/** What a person reads, per language. */
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
    preview: 'Your camera preview',
    enter: 'Enter the meeting',
    encrypted: 'End-to-end encrypted',
    someoneCannot: 'Someone cannot decrypt the meeting',
    tiles: 'Participants on screen',
    someone: 'Participant',
    cannotDecrypt: 'cannot decrypt',
    encryptedState: 'encrypted',
    videoOf: (name: string) => `Video of ${name}`,
    security: 'Security',
    media: 'Each participant’s media',
    personState: (name: string, state: string) => `${name}: ${state}`,
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
    preview: 'Aperçu de votre caméra',
    enter: 'Entrer dans la réunion',
    encrypted: 'Chiffré de bout en bout',
    someoneCannot: 'Quelqu’un ne peut pas déchiffrer la réunion',
    tiles: 'Participants à l’écran',
    someone: 'Participant',
    cannotDecrypt: 'impossible à déchiffrer',
    encryptedState: 'chiffré',
    videoOf: (name: string) => `Vidéo de ${name}`,
    security: 'Sécurité',
    media: 'Médias de chaque participant',
    personState: (name: string, state: string) => `${name} : ${state}`,
  },
} as const;
type Language = keyof typeof UI;

let app: AppFixture;

before(async () => {
  // The hostile client publishes over a plain RTP transport (no browser, no SFrame transform).
  app = await startApp({
    sfu: true,
    sfuConfig: { media: { plainTransport: { enabled: true, listenIp: '127.0.0.1' } } },
  });
});

after(async () => {
  await app?.close();
});

/** Signs in and enters `title` with the camera on. */
async function enterWithCamera(language: Language, username: string, title: string): Promise<Page> {
  const ui = UI[language];
  const page = await (await app.newContext(ui.locale)).newPage();
  await page.goto(`${app.web.url}/`);
  await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor();
  await page.getByRole('textbox', { name: ui.username }).fill(username);
  await page.getByLabel(ui.password, { exact: true }).fill(strongPassword(username));
  await page.getByRole('button', { name: ui.submit, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
  await page.getByRole('button', { name: ui.join(title) }).click();
  await page.getByRole('heading', { level: 1, name: ui.prejoin(title) }).waitFor();
  await page.getByRole('button', { name: ui.camera, exact: true }).click();
  // As a person would: enter once the preview shows (a camera still opening is not published on entry).
  await page.getByLabel(ui.preview).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: ui.enter }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 15_000 });
  return page;
}

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`a participant sending unencrypted media, in ${language}`, () => {
    it('shows as "cannot decrypt" on every other screen (tile, security panel, header lock) while the honest members stay encrypted with each other', async () => {
      const organiser = `hana-${language}`;
      const invitee = `jonas-${language}`;
      const hostile = `mallory-${language}`;
      await app.auth.addUser(organiser, strongPassword(organiser), ['organiser']);
      const inviteeId = await app.auth.addUser(invitee, strongPassword(invitee));
      const hostileId = await app.auth.addUser(hostile, strongPassword(hostile));
      const token = await app.apiToken(organiser, strongPassword(organiser));
      const title = `Tampered ${language}`;
      const meetingId = await scheduleSoon(app, token, {
        title,
        invitees: [inviteeId, hostileId],
        autoAdmit: [inviteeId, hostileId],
      });

      const hana = await enterWithCamera(language, organiser, title);
      const jonas = await enterWithCamera(language, invitee, title);
      const honest = [
        [hana, invitee],
        [jonas, organiser],
      ] as const;
      for (const [page, other] of honest) {
        // Generous: two pages encode and decode video on a shared 2-core machine.
        await page.getByLabel(ui.videoOf(other), { exact: true }).waitFor({ timeout: 60_000 });
        await waitFor(
          `${other}'s video decoding`,
          async () => (await framesShown(page, ui.videoOf(other))) > 5,
          60_000,
        );
        await page.getByRole('status').filter({ hasText: ui.encrypted }).waitFor({ timeout: 30_000 });
      }

      // An admitted invitee whose client skips the SFrame transform: a real ticket, media in clear.
      const hostileToken = await app.apiToken(hostile, strongPassword(hostile));
      const joined = await app.rooms.api('POST', `/meetings/${meetingId}/join`, hostileToken);
      assert.equal(joined.body.state, 'admitted', JSON.stringify(joined.body));
      const participantId = joined.body.participantId as string;
      const grant = await app.rooms.api(
        'POST',
        `/meetings/${meetingId}/participants/${participantId}/ticket`,
        hostileToken,
      );
      assert.equal(grant.status, 200, JSON.stringify(grant.body));
      const client = await app.sfu!.connect();
      const hello = await client.hello(grant.body.ticket as string);
      await client.request('join', { rtpCapabilities: hello.routerRtpCapabilities });
      const camera = await publishPlain(client, 'camera', 0x0bad);
      const sending = setInterval(() => void camera.send(3, 'plaintext'), 100);
      try {
        for (const [page, other] of honest) {
          const tiles = page.getByRole('list', { name: ui.tiles, exact: true });
          const hostileTile = tiles
            .getByRole('listitem')
            .filter({ hasText: ui.someone })
            .filter({ hasText: ui.cannotDecrypt });
          await hostileTile.waitFor({ timeout: 30_000 });
          await page.getByRole('status').filter({ hasText: ui.someoneCannot }).waitFor({ timeout: 15_000 });
          const otherTile = tiles.getByRole('listitem').filter({ hasText: other });
          await otherTile.filter({ hasText: ui.encryptedState }).waitFor();
          assert.doesNotMatch((await otherTile.textContent()) ?? '', new RegExp(ui.cannotDecrypt, 'i'));

          await page.getByRole('button', { name: ui.security, exact: true }).click();
          const states = page.getByRole('list', { name: ui.media });
          await states
            .getByRole('listitem')
            .filter({ hasText: ui.personState(ui.someone, ui.cannotDecrypt) })
            .waitFor();
          await states
            .getByRole('listitem')
            .filter({ hasText: ui.personState(other, ui.encryptedState) })
            .waitFor();
          assert.deepEqual(await seriousA11yViolations(page), [], 'accessibility with a participant failing');
          if (page === hana) await screenshot(page, `cannot-decrypt-${language}`);
          // The honest pair still decodes each other's video.
          const before = await framesShown(page, ui.videoOf(other));
          await waitFor(
            `${other}'s video still decoding`,
            async () => (await framesShown(page, ui.videoOf(other))) > before,
          );
        }
      } finally {
        clearInterval(sending);
        camera.close();
        client.close();
      }
      for (const [page] of honest) {
        assert.deepEqual(await cspViolations(page), []);
        await page.context().close();
      }
    });
  });
}
