import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
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
    username: 'User name',
    password: 'Password',
    meetings: 'My meetings',
    join: (title: string) => `Join ${title}`,
    prejoin: (title: string) => `Before you join: ${title}`,
    camera: 'Camera',
    microphone: 'Microphone',
    enter: 'Enter the meeting',
    videoOf: (name: string) => `Video of ${name}`,
    you: 'You',
    tiles: 'Participants on screen',
    speakerLayout: 'Speaker layout',
    pin: (name: string) => `Pin ${name}`,
    speaking: 'Speaking',
    micOff: 'Mic off',
    quality: /^(Good|Fair|Poor) connection$/,
    pages: 'Pages',
    pageOf: /^Page (\d+) of (\d+)$/,
    nextPage: 'Next page',
    previousPage: 'Previous page',
    shareScreen: 'Share screen',
    screenTile: (name: string) => `Screen shared by ${name}`,
    screenOf: (name: string) => `Screen of ${name}`,
    settings: 'Settings',
    close: 'Close',
  },
  fr: {
    locale: 'fr-FR',
    signIn: 'Connexion',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    meetings: 'Mes réunions',
    join: (title: string) => `Rejoindre ${title}`,
    prejoin: (title: string) => `Avant d’entrer : ${title}`,
    camera: 'Caméra',
    microphone: 'Micro',
    enter: 'Entrer dans la réunion',
    videoOf: (name: string) => `Vidéo de ${name}`,
    you: 'Vous',
    tiles: 'Participants à l’écran',
    speakerLayout: 'Vue orateur',
    pin: (name: string) => `Épingler ${name}`,
    speaking: 'Parle',
    micOff: 'Micro coupé',
    quality: /^(Bonne connexion|Connexion moyenne|Mauvaise connexion)$/,
    pages: 'Pages',
    pageOf: /^Page (\d+) sur (\d+)$/,
    nextPage: 'Page suivante',
    previousPage: 'Page précédente',
    shareScreen: 'Partager l’écran',
    screenTile: (name: string) => `Écran partagé par ${name}`,
    screenOf: (name: string) => `Écran de ${name}`,
    settings: 'Réglages',
    close: 'Fermer',
  },
} as const;
type Language = keyof typeof UI;

/**
 * Test instrumentation: every camera, microphone and screen track the page opened (to read `readyState`), and
 * every peer connection (to count the sound received).
 */
const RECORD_TRACKS = `
  window.__pcs = [];
  const PC = window.RTCPeerConnection;
  window.RTCPeerConnection = function (...args) { const pc = new PC(...args); window.__pcs.push(pc); return pc; };
  window.RTCPeerConnection.prototype = PC.prototype;
  window.__tracks = [];
  for (const name of ['getUserMedia', 'getDisplayMedia']) {
    const original = navigator.mediaDevices[name].bind(navigator.mediaDevices);
    navigator.mediaDevices[name] = async (constraints) => {
      const stream = await original(constraints);
      window.__tracks.push(...stream.getTracks().map((track) => ({ track, from: name })));
      return stream;
    };
  }
`;

let app: AppFixture;

before(async () => {
  // Two fake cameras, to switch from one to the other during the call.
  app = await startApp({ sfu: true, chromiumArgs: ['--use-fake-device-for-media-stream=device-count=2'] });
});

after(async () => {
  await app?.close();
});

async function signIn(language: Language, username: string): Promise<Page> {
  const ui = UI[language];
  const context = await app.newContext(ui.locale);
  await context.addInitScript(RECORD_TRACKS);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${app.web.url}/`);
  await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor();
  await page.getByRole('textbox', { name: ui.username }).fill(username);
  await page.getByLabel(ui.password, { exact: true }).fill(strongPassword(username));
  await page
    .getByRole('button', { name: ui.signIn === 'Sign in' ? 'Sign in' : 'Se connecter', exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
  return page;
}

async function enter(
  page: Page,
  language: Language,
  title: string,
  devices: { camera: boolean; microphone: boolean },
): Promise<void> {
  const ui = UI[language];
  await page.getByRole('button', { name: ui.join(title) }).click();
  await page.getByRole('heading', { level: 1, name: ui.prejoin(title) }).waitFor();
  if (devices.camera) await page.getByRole('button', { name: ui.camera, exact: true }).click();
  if (devices.microphone) await page.getByRole('button', { name: ui.microphone, exact: true }).click();
  await page.getByRole('button', { name: ui.enter }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

function tracks(page: Page, from: 'getUserMedia' | 'getDisplayMedia') {
  return page.evaluate(
    (source) =>
      (window as unknown as { __tracks: { track: MediaStreamTrack; from: string }[] }).__tracks
        .filter((entry) => entry.from === source)
        .map(({ track }) => ({ kind: track.kind, label: track.label, readyState: track.readyState })),
    from,
  );
}

/** What the video element labelled `label` shows: frames painted so far and the height of the frames. */
function video(page: Page, label: string): Promise<{ frames: number; height: number }> {
  return page.getByLabel(label, { exact: true }).evaluate((element) => ({
    frames: (element as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames,
    height: (element as HTMLVideoElement).videoHeight,
  }));
}

/** The id of the track the video element labelled `label` shows. */
function trackIdOf(page: Page, label: string): Promise<string> {
  return page
    .getByLabel(label, { exact: true })
    .evaluate((element) => ((element as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]!.id);
}

/** Video packets the page has received for one track (the receiver's `trackIdentifier`). */
function videoPacketsReceived(page: Page, trackId: string): Promise<number> {
  return page.evaluate(async (id) => {
    let packets = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      (await pc.getStats()).forEach(
        (entry: { type: string; trackIdentifier?: string; packetsReceived?: number }) => {
          if (entry.type === 'inbound-rtp' && entry.trackIdentifier === id)
            packets += entry.packetsReceived ?? 0;
        },
      );
    }
    return packets;
  }, trackId);
}

/** Audio packets the page receives, over every consumer it has. */
function audioPacketsReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let packets = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      (await pc.getStats()).forEach((entry: { type: string; kind?: string; packetsReceived?: number }) => {
        if (entry.type === 'inbound-rtp' && entry.kind === 'audio') packets += entry.packetsReceived ?? 0;
      });
    }
    return packets;
  });
}

/** Waits until the video labelled `label` paints new frames (decoded, so decrypted). */
async function waitForFrames(page: Page, label: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).waitFor({ timeout: 30_000 });
  const start = (await video(page, label).catch(() => ({ frames: 0 }))).frames;
  await waitFor(`frames of ${label}`, async () => (await video(page, label)).frames > start + 5);
}

async function pageOf(page: Page, language: Language): Promise<[number, number]> {
  const text =
    (await page
      .getByRole('navigation', { name: UI[language].pages })
      .getByText(UI[language].pageOf)
      .textContent()) ?? '';
  const match = UI[language].pageOf.exec(text.trim());
  assert.ok(match !== null, text);
  return [Number(match[1]), Number(match[2])];
}

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`meeting stage in ${language}`, () => {
    it('three people switch layouts, pin, page through tiles on a small screen, see who speaks, share a screen until the right is taken back, turn a camera off and on and switch microphone during the call', async () => {
      const [organiser, bob, carl] = [`oriane-${language}`, `bruno-${language}`, `carla-${language}`];
      await app.auth.addUser(organiser, strongPassword(organiser), ['organiser']);
      const bobId = await app.auth.addUser(bob, strongPassword(bob));
      const carlId = await app.auth.addUser(carl, strongPassword(carl));
      const token = await app.apiToken(organiser, strongPassword(organiser));
      const title = `Stage ${language}`;
      const meetingId = await scheduleSoon(app, token, {
        title,
        invitees: [bobId, carlId],
        autoAdmit: [bobId, carlId],
      });

      const olga = await signIn(language, organiser);
      const bruno = await signIn(language, bob);
      const carla = await signIn(language, carl);
      await enter(olga, language, title, { camera: false, microphone: false });
      await enter(bruno, language, title, { camera: true, microphone: false });
      await enter(carla, language, title, { camera: true, microphone: false });

      await waitForFrames(olga, ui.videoOf(bob));
      await waitForFrames(olga, ui.videoOf(carl));
      // Only Carla opens her microphone: she is the one the SFU hears speaking.
      await carla.getByRole('button', { name: ui.microphone, exact: true }).click();

      // The active speaker is highlighted, the silent one shows the microphone off, each tile its connection.
      const carlTile = olga.getByRole('group', { name: carl, exact: true });
      const bobTile = olga.getByRole('group', { name: bob, exact: true });
      await carlTile.getByText(ui.speaking).waitFor({ timeout: 30_000 });
      await bobTile.getByText(ui.micOff).waitFor();
      assert.equal(await bobTile.getByText(ui.speaking).count(), 0, 'the silent one is not highlighted');
      await bobTile.getByText(ui.quality).waitFor({ timeout: 30_000 });

      // Speaker layout: the active speaker takes the big tile, out of the list of small tiles.
      const tiles = olga.getByRole('list', { name: ui.tiles });
      const speakerLayout = olga.getByRole('button', { name: ui.speakerLayout });
      assert.equal(await speakerLayout.getAttribute('aria-pressed'), 'false');
      await speakerLayout.click();
      assert.equal(await speakerLayout.getAttribute('aria-pressed'), 'true');
      await waitFor(
        'Carla on the big tile',
        async () => (await tiles.getByRole('group', { name: carl, exact: true }).count()) === 0,
      );
      assert.equal(await tiles.getByRole('group', { name: bob, exact: true }).count(), 1);
      assert.deepEqual(await seriousA11yViolations(olga), [], 'accessibility of the speaker layout');
      await screenshot(olga, `stage-speaker-${language}`);

      // Pinning Bruno puts him on the big tile whoever speaks; his big tile receives a larger layer than
      // Carla's small one (each tile asks the SFU for the layer its size needs).
      const pin = olga.getByRole('button', { name: ui.pin(bob) });
      await pin.click();
      assert.equal(await pin.getAttribute('aria-pressed'), 'true');
      await waitFor(
        'Bruno on the big tile',
        async () => (await tiles.getByRole('group', { name: bob, exact: true }).count()) === 0,
      );
      let heights = { big: 0, small: 0 };
      await waitFor(
        'the big tile to receive a larger layer than the small one',
        async () => {
          heights = {
            big: (await video(olga, ui.videoOf(bob))).height,
            small: (await video(olga, ui.videoOf(carl))).height,
          };
          return heights.small > 0 && heights.big > heights.small;
        },
        45_000,
      );
      assert.ok(heights.big > heights.small, JSON.stringify(heights));

      // Back to the grid, unpinned, on a small screen: the tiles are paged; the video of tiles off the page is
      // paused on the SFU, and plays again when its page comes into view.
      await pin.click();
      await speakerLayout.click();
      const bobTrack = await trackIdOf(olga, ui.videoOf(bob));
      await olga.setViewportSize({ width: 320, height: 640 });
      const pages = olga.getByRole('navigation', { name: ui.pages });
      await pages.waitFor({ timeout: 15_000 });
      const [first, count] = await pageOf(olga, language);
      assert.equal(first, 1);
      assert.ok(count >= 2, `${count} pages`);
      assert.equal(await tiles.getByRole('group', { name: ui.you, exact: true }).count(), 1);
      assert.ok(await pages.getByRole('button', { name: ui.previousPage }).isDisabled());
      for (let page = 2; page <= count; page++) {
        await pages.getByRole('button', { name: ui.nextPage }).click();
        await waitFor(`page ${page}`, async () => (await pageOf(olga, language))[0] === page);
      }
      assert.ok(await pages.getByRole('button', { name: ui.nextPage }).isDisabled());
      assert.equal(
        await tiles.getByRole('group', { name: ui.you, exact: true }).count(),
        0,
        'your tile is on page 1',
      );
      // Carla comes last: on the last page, her video is received again and decoded, and Bruno's (on an
      // earlier page) no longer arrives.
      await waitForFrames(olga, ui.videoOf(carl));
      await waitFor('no more of the hidden video', async () => {
        const before = await videoPacketsReceived(olga, bobTrack);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        return (await videoPacketsReceived(olga, bobTrack)) - before < 5;
      });
      assert.deepEqual(await seriousA11yViolations(olga), [], 'accessibility of the paged stage at 320 px');
      await screenshot(olga, `stage-pages-${language}`);
      await olga.setViewportSize({ width: 1280, height: 800 });
      await pages.waitFor({ state: 'detached', timeout: 15_000 });

      // The organiser grants screen sharing: Bruno shares, the screen takes the stage for everyone.
      // A fresh access token: the first one may have expired on a slow machine.
      const organiserToken = await app.apiToken(organiser, strongPassword(organiser));
      const participants = await app.rooms.api('GET', `/meetings/${meetingId}/participants`, organiserToken);
      assert.equal(participants.status, 200, JSON.stringify(participants.body));
      const brunoSession = (participants.body as { participantId: string; userId: string }[]).find(
        (participant) => participant.userId === bobId,
      );
      assert.ok(brunoSession !== undefined, JSON.stringify(participants.body));
      const share = (allowed: boolean) =>
        app.rooms.api(
          'PUT',
          `/meetings/${meetingId}/participants/${brunoSession.participantId}/share`,
          organiserToken,
          {
            allowed,
          },
        );
      const shareButton = bruno.getByRole('button', { name: ui.shareScreen });
      assert.equal(await shareButton.count(), 0, 'no share button without the right');
      assert.equal((await share(true)).status, 200);
      await shareButton.click({ timeout: 15_000 });
      await waitFor(
        'the share to be pressed',
        async () => (await shareButton.getAttribute('aria-pressed')) === 'true',
      );
      for (const page of [olga, carla]) {
        await page.getByRole('group', { name: ui.screenTile(bob) }).waitFor({ timeout: 30_000 });
        await waitForFrames(page, ui.screenOf(bob));
        assert.equal(
          await page
            .getByRole('list', { name: ui.tiles })
            .getByRole('group', { name: ui.screenTile(bob) })
            .count(),
          0,
          'the shared screen is on the big tile',
        );
      }
      assert.deepEqual(await seriousA11yViolations(olga), [], 'accessibility of a shared screen');
      await screenshot(olga, `stage-screen-${language}`);

      // Taking the right back stops the share everywhere, and Bruno's capture with it.
      assert.equal((await share(false)).status, 200);
      for (const page of [olga, carla])
        await page
          .getByRole('group', { name: ui.screenTile(bob) })
          .waitFor({ state: 'detached', timeout: 30_000 });
      await shareButton.waitFor({ state: 'detached', timeout: 15_000 });
      await waitFor('the screen capture to stop', async () =>
        (await tracks(bruno, 'getDisplayMedia')).every((track) => track.readyState === 'ended'),
      );
      assert.equal((await tracks(bruno, 'getDisplayMedia')).length, 1);

      // Camera off and on again during the call: the old track stops, the new one is published and the
      // others see it. Switching from one camera to another is shown on the microphones: Chromium's second
      // fake camera (device-count=2) plays locally but no encoder takes its frames (framesEncoded stays at 0,
      // whether re-published or replaced), while its three fake microphones all work.
      const camera = bruno.getByRole('button', { name: ui.camera, exact: true });
      await camera.click();
      await waitFor('the camera to stop', async () =>
        (await tracks(bruno, 'getUserMedia')).every((track) => track.readyState === 'ended'),
      );
      await olga.getByLabel(ui.videoOf(bob), { exact: true }).waitFor({ state: 'detached', timeout: 30_000 });
      await camera.click();
      await waitForFrames(olga, ui.videoOf(bob));

      // Carla switches microphone in Settings: the old one stops, the new one is sent in its place.
      await carla.getByRole('button', { name: ui.settings }).click();
      const dialog = carla.getByRole('dialog', { name: ui.settings });
      await dialog.waitFor();
      const picker = dialog.getByRole('combobox', { name: ui.microphone });
      await waitFor(
        'several microphones listed',
        async () => (await picker.getByRole('option').count()) >= 2,
      );
      assert.deepEqual(await seriousA11yViolations(carla), [], 'accessibility of the settings dialog');
      await screenshot(carla, `stage-settings-${language}`);
      const microphones = async () =>
        (await tracks(carla, 'getUserMedia')).filter((track) => track.kind === 'audio');
      const [before] = await microphones();
      assert.equal(before?.readyState, 'live');
      const other = (await picker.getByRole('option').allTextContents()).find(
        (label) => label !== before.label,
      );
      assert.ok(other !== undefined);
      await picker.selectOption({ label: other });
      await waitFor('the new microphone to replace the old one', async () => {
        const [old, next] = await microphones();
        return old?.readyState === 'ended' && next?.readyState === 'live' && next.label === other;
      });
      await dialog.getByRole('button', { name: ui.close }).click();
      await dialog.waitFor({ state: 'detached' });
      // Olga receives the new microphone: Carla's tile shows it on, and its sound arrives.
      await olga
        .getByRole('group', { name: carl, exact: true })
        .getByText(ui.micOff)
        .waitFor({ state: 'detached' });
      const received = await audioPacketsReceived(olga);
      await waitFor(
        'sound from the new microphone',
        async () => (await audioPacketsReceived(olga)) > received + 50,
      );

      for (const page of [olga, bruno, carla]) {
        assert.deepEqual(await cspViolations(page), []);
        await page.context().close();
      }
    });
  });
}
