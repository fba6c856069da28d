import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { strongPassword } from '../../auth/test/support/auth-fixture';
import { cspViolations, seriousA11yViolations, startApp, type AppFixture } from './support/app-fixture';
import { waitFor } from './support/page-checks';

/**
 * Issue 12 §4: a keyboard-only run. Only `keyboard.press` and `keyboard.type` drive the page (Tab, Shift+Tab,
 * Enter, Space); the test reads the page by role and accessible name to know where focus is.
 */

const UI = {
  en: {
    locale: 'en-GB',
    skip: 'Skip to main content',
    signIn: 'Sign in',
    username: 'User name',
    password: 'Password',
    meetings: 'My meetings',
    join: (title: string) => `Join ${title}`,
    prejoin: (title: string) => `Before you join: ${title}`,
    microphone: 'Microphone',
    enter: 'Enter the meeting',
    encrypted: 'End-to-end encrypted',
  },
  fr: {
    locale: 'fr-FR',
    skip: 'Aller au contenu principal',
    signIn: 'Connexion',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    meetings: 'Mes réunions',
    join: (title: string) => `Rejoindre ${title}`,
    prejoin: (title: string) => `Avant d’entrer : ${title}`,
    microphone: 'Micro',
    enter: 'Entrer dans la réunion',
    encrypted: 'Chiffré de bout en bout',
  },
} as const;

/** No screen should need more Tab presses than this to reach a control. */
const MAX_TAB_STOPS = 40;

let app: AppFixture;

before(async () => {
  app = await startApp({ sfu: true });
});

after(async () => {
  await app?.close();
});

function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((element) => element === document.activeElement).catch(() => false);
}

/** The focused element shows a focus ring: `:focus-visible` (or react-aria's mark) with a real outline. */
function focusRing(page: Page): Promise<{ visible: boolean; what: string }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (element === null || element === document.body) return { visible: false, what: 'nothing focused' };
    const style = getComputedStyle(element);
    const marked = element.matches(':focus-visible') || element.hasAttribute('data-focus-visible');
    const drawn = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    return {
      visible: marked && drawn,
      what: `${element.tagName} "${element.getAttribute('aria-label') ?? element.textContent?.trim() ?? ''}" outline ${style.outlineStyle} ${style.outlineWidth}`,
    };
  });
}

/** Presses `key` (Tab or Shift+Tab) until `target` has focus, checking the focus ring at every stop. */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<number> {
  for (let presses = 1; presses <= MAX_TAB_STOPS; presses++) {
    await page.keyboard.press(key);
    const ring = await focusRing(page);
    assert.ok(ring.visible, `focus is visible at every Tab stop: ${ring.what}`);
    if (await isFocused(target)) return presses;
  }
  throw new Error(`${MAX_TAB_STOPS} presses of ${key} never reached the control`);
}

/** The SFU's view of a user's producers, from its internal API. */
async function producersOf(userId: string): Promise<{ source: string; paused: boolean }[]> {
  const { body } = await app.sfu!.internal('GET', '/internal/v1/rooms');
  const rooms = (
    body as {
      rooms: { participants: { userId: string; producers: { source: string; paused: boolean }[] }[] }[];
    }
  ).rooms;
  return rooms.flatMap((room) =>
    room.participants.filter((p) => p.userId === userId).flatMap((p) => p.producers),
  );
}

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`keyboard only, in ${language}`, () => {
    it('Tab, Shift+Tab, Enter and Space sign in, open a meeting from My meetings, join it from the pre-join and turn the microphone off, with the skip link first and focus always visible', async () => {
      const user = `kim-${language}`;
      const userId = await app.auth.addUser(user, strongPassword(user), ['organiser']);
      const token = await app.apiToken(user, strongPassword(user));
      const title = `Keyboard review ${language}`;
      const startsAt = new Date(Date.now() + 60_000);
      const created = await app.rooms.api('POST', '/meetings', token, {
        title,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        timeZone: 'Europe/Paris',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));

      const context = await app.newContext(ui.locale);
      const page = await context.newPage();
      await page.goto(`${app.web.url}/`);
      await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor({ timeout: 30_000 });

      // The skip link is the first Tab stop, and Enter on it moves focus to the main content.
      await page.keyboard.press('Tab');
      assert.ok(
        await isFocused(page.getByRole('link', { name: ui.skip })),
        'the skip link is the first Tab stop',
      );
      assert.ok((await focusRing(page)).visible, (await focusRing(page)).what);
      await page.keyboard.press('Enter');
      assert.ok(await isFocused(page.getByRole('main')), 'the skip link moves focus to the main content');

      const username = page.getByRole('textbox', { name: ui.username });
      const password = page.getByLabel(ui.password, { exact: true });
      await tabTo(page, username);
      await page.keyboard.type(user);
      await tabTo(page, password);
      // Shift+Tab goes back the same way.
      await tabTo(page, username, 'Shift+Tab');
      assert.equal(await username.inputValue(), user);
      await tabTo(page, password);
      await page.keyboard.type(strongPassword(user));
      await page.keyboard.press('Enter');

      const meetings = page.getByRole('heading', { level: 1, name: ui.meetings });
      await meetings.waitFor({ timeout: 30_000 });
      assert.ok(await isFocused(meetings), 'the new screen’s heading has focus');
      await tabTo(page, page.getByRole('button', { name: ui.join(title) }));
      await page.keyboard.press('Enter');

      const prejoin = page.getByRole('heading', { level: 1, name: ui.prejoin(title) });
      await prejoin.waitFor({ timeout: 30_000 });
      await waitFor('focus on the pre-join heading', () => isFocused(prejoin));
      const preJoinMicrophone = page.getByRole('button', { name: ui.microphone, exact: true });
      await tabTo(page, preJoinMicrophone);
      await page.keyboard.press('Space');
      await waitFor(
        'the microphone to turn on',
        async () => (await preJoinMicrophone.getAttribute('aria-pressed')) === 'true',
      );
      await tabTo(page, page.getByRole('button', { name: ui.enter }));
      await page.keyboard.press('Enter');

      await page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 30_000 });
      await page.getByRole('status').filter({ hasText: ui.encrypted }).waitFor({ timeout: 30_000 });
      await waitFor('the microphone to be published', async () =>
        (await producersOf(userId)).some((p) => p.source === 'microphone' && !p.paused),
      );
      const microphone = page.getByRole('button', { name: ui.microphone, exact: true });
      assert.equal(await microphone.getAttribute('aria-pressed'), 'true');
      await tabTo(page, microphone);
      await page.keyboard.press('Space');
      await waitFor(
        'the toggle to show the microphone off',
        async () => (await microphone.getAttribute('aria-pressed')) === 'false',
      );
      await waitFor('the SFU to close or pause the microphone producer', async () =>
        (await producersOf(userId)).every((p) => p.source !== 'microphone' || p.paused),
      );
      assert.ok(await isFocused(microphone), 'focus stays on the toggle');

      await page.keyboard.press('Space');
      await waitFor(
        'the toggle to show the microphone on again',
        async () => (await microphone.getAttribute('aria-pressed')) === 'true',
      );
      await waitFor('the microphone to be published again', async () =>
        (await producersOf(userId)).some((p) => p.source === 'microphone' && !p.paused),
      );
      assert.deepEqual(await seriousA11yViolations(page), [], 'accessibility of the meeting');
      assert.deepEqual(await cspViolations(page), []);
      await context.close();
    });

    it('a meeting link (#/join/{id}) opened in a new page by a signed-in person shows its pre-join screen', async () => {
      const user = `lena-${language}`;
      await app.auth.addUser(user, strongPassword(user), ['organiser']);
      const token = await app.apiToken(user, strongPassword(user));
      const title = `Direct link ${language}`;
      const startsAt = new Date(Date.now() + 60_000);
      const created = await app.rooms.api('POST', '/meetings', token, {
        title,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        timeZone: 'Europe/Paris',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const context = await app.newContext(ui.locale);
      const page = await context.newPage();
      await page.goto(`${app.web.url}/`);
      await page.getByRole('textbox', { name: ui.username }).fill(user, { timeout: 30_000 });
      await page.getByLabel(ui.password, { exact: true }).fill(strongPassword(user));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor({ timeout: 30_000 });

      const link = `${app.web.url}/#/join/${encodeURIComponent(created.body.id as string)}`;
      const linked = await context.newPage();
      await linked.goto(link);
      await linked.getByRole('heading', { level: 1, name: ui.prejoin(title) }).waitFor({ timeout: 30_000 });
      assert.equal(linked.url(), link);
      await context.close();
    });
  });
}
