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
    submit: 'Sign in',
    username: 'User name',
    password: 'Password',
    meetings: 'My meetings',
    join: (title: string) => `Join ${title}`,
    prejoin: (title: string) => `Before you join: ${title}`,
    enter: 'Enter the meeting',
    encrypted: 'End-to-end encrypted',
    microphone: 'Microphone',
    chat: 'Chat',
    chatUnread: (n: number) => `Chat, ${n} unread`,
    chatPanel: 'Chat',
    closeChat: 'Close chat',
    marker: 'End-to-end encrypted: only the people in this meeting can read it.',
    message: 'Message',
    send: 'Send',
    messages: 'Messages',
    tooLong: 'Too long: at most 3,000 characters.',
    empty: 'No messages yet.',
    security: 'Security',
    securityPanel: 'Security',
    safetyCode: 'Safety code',
    suite: 'MLS P-384 + AES-256-GCM',
    verify: 'Mark as verified',
    verifiedReset: 'Someone joined, so the mark was removed. Compare the new code again.',
    announcements: 'Announcements',
    says: (name: string, text: string) => `${name} says: ${text}`,
    joined: (name: string) => `${name} joined the meeting`,
    shortcuts: 'Keyboard shortcuts',
    shortcutRows: ['Turn the microphone on or off', 'Open or close the chat', 'Go to the meeting controls'],
    close: 'Close',
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
    enter: 'Entrer dans la réunion',
    encrypted: 'Chiffré de bout en bout',
    microphone: 'Micro',
    chat: 'Discussion',
    chatUnread: (n: number) => `Discussion, ${n} non lu`,
    chatPanel: 'Discussion',
    closeChat: 'Fermer la discussion',
    marker: 'Chiffré de bout en bout : seules les personnes de cette réunion peuvent le lire.',
    message: 'Message',
    send: 'Envoyer',
    messages: 'Messages',
    tooLong: 'Trop long : 3\u202f000 caractères au plus.',
    empty: 'Aucun message pour l’instant.',
    security: 'Sécurité',
    securityPanel: 'Sécurité',
    safetyCode: 'Code de sécurité',
    suite: 'MLS P-384 + AES-256-GCM',
    verify: 'Marquer comme vérifié',
    verifiedReset: 'Quelqu’un est arrivé : la marque a été retirée. Comparez à nouveau le nouveau code.',
    announcements: 'Annonces',
    says: (name: string, text: string) => `${name} écrit : ${text}`,
    joined: (name: string) => `${name} a rejoint la réunion`,
    shortcuts: 'Raccourcis clavier',
    shortcutRows: [
      'Allumer ou couper le micro',
      'Ouvrir ou fermer la discussion',
      'Aller aux commandes de la réunion',
    ],
    close: 'Fermer',
    leave: 'Quitter',
    left: 'Vous avez quitté la réunion',
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

/** Signs in, joins `title` from My meetings without opening any device, and waits for the keys. */
async function signInAndEnter(language: Language, username: string, title: string): Promise<Page> {
  const ui = UI[language];
  const context = await app.newContext(ui.locale);
  const page = await context.newPage();
  await page.goto(`${app.web.url}/`);
  await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor();
  await page.getByRole('textbox', { name: ui.username }).fill(username);
  await page.getByLabel(ui.password, { exact: true }).fill(strongPassword(username));
  await page.getByRole('button', { name: ui.submit, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
  await enter(page, language, title);
  return page;
}

async function enter(page: Page, language: Language, title: string): Promise<void> {
  const ui = UI[language];
  await page.getByRole('button', { name: ui.join(title) }).click();
  await page.getByRole('heading', { level: 1, name: ui.prejoin(title) }).waitFor();
  await page.getByRole('button', { name: ui.enter }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 15_000 });
}

/** The safety code shown in the security panel (opening it if needed). */
async function safetyCode(page: Page, language: Language): Promise<string> {
  const ui = UI[language];
  const toggle = page.getByRole('button', { name: ui.security, exact: true });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  const text = (await page.getByRole('region', { name: ui.safetyCode }).textContent()) ?? '';
  return /\d{5}( \d{5}){4}/.exec(text)?.[0] ?? '';
}

function announcements(page: Page, language: Language): Promise<string> {
  return page
    .getByRole('log', { name: UI[language].announcements })
    .textContent()
    .then((text) => text ?? '');
}

async function noHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= 320);
}

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`chat, security panel and shortcuts in ${language}`, () => {
    it('two participants chat both ways under the encrypted marker with an unread badge and announcements, see equal safety codes, lose the verified mark when a third joins, and drive the microphone and chat by keyboard', async () => {
      const organiser = `chloe-${language}`;
      const invitee = `igor-${language}`;
      const third = `tess-${language}`;
      await app.auth.addUser(organiser, strongPassword(organiser), ['organiser']);
      const inviteeId = await app.auth.addUser(invitee, strongPassword(invitee));
      const thirdId = await app.auth.addUser(third, strongPassword(third));
      const token = await app.apiToken(organiser, strongPassword(organiser));
      const title = `Chat room ${language}`;
      await scheduleSoon(app, token, {
        title,
        invitees: [inviteeId, thirdId],
        autoAdmit: [inviteeId, thirdId],
      });

      const chloe = await signInAndEnter(language, organiser, title);
      const igor = await signInAndEnter(language, invitee, title);
      for (const page of [chloe, igor])
        await page.getByRole('status').filter({ hasText: ui.encrypted }).waitFor({ timeout: 30_000 });
      await waitFor(`${organiser} hears that ${invitee} joined`, async () =>
        (await announcements(chloe, language)).includes(ui.joined(invitee)),
      );

      // Igor writes first; Chloe's chat is closed, so her toggle counts it and her screen reader says it.
      await igor.getByRole('button', { name: ui.chat, exact: true }).click();
      const igorPanel = igor.getByRole('region', { name: ui.chatPanel, exact: true });
      await igorPanel.getByText(ui.marker).waitFor();
      assert.deepEqual(await seriousA11yViolations(igor), [], 'accessibility of the chat panel');
      await screenshot(igor, `chat-${language}`);
      await igorPanel.getByRole('textbox', { name: ui.message }).fill('Bonjour, can you hear me?');
      await igorPanel.getByRole('textbox', { name: ui.message }).press('Enter');
      await igorPanel
        .getByRole('list', { name: ui.messages })
        .getByText('Bonjour, can you hear me?')
        .waitFor();
      assert.equal(
        await igorPanel.getByRole('textbox', { name: ui.message }).inputValue(),
        '',
        'Enter sent it',
      );

      await chloe.getByRole('button', { name: ui.chatUnread(1), exact: true }).waitFor({ timeout: 15_000 });
      await waitFor('the message announced', async () =>
        (await announcements(chloe, language)).includes(ui.says(invitee, 'Bonjour, can you hear me?')),
      );
      // C opens the chat: the message is there with its sender, and the badge is gone.
      await chloe.getByRole('heading', { level: 1, name: title }).focus();
      await chloe.keyboard.press('c');
      const chloePanel = chloe.getByRole('region', { name: ui.chatPanel, exact: true });
      const received = chloePanel.getByRole('listitem').filter({ hasText: 'Bonjour, can you hear me?' });
      await received.waitFor();
      assert.match((await received.textContent()) ?? '', new RegExp(`${invitee}\\s*\\d{2}:\\d{2}`));
      assert.equal(
        await chloe.getByRole('button', { name: ui.chat, exact: true }).getAttribute('aria-pressed'),
        'true',
      );
      await chloePanel.getByText(ui.marker).waitFor();
      await chloePanel.getByRole('textbox', { name: ui.message }).fill('Loud and clear.');
      await chloePanel.getByRole('button', { name: ui.send }).click();
      await igorPanel
        .getByRole('listitem')
        .filter({ hasText: 'Loud and clear.' })
        .waitFor({ timeout: 15_000 });
      assert.match(
        (await igorPanel.getByRole('listitem').filter({ hasText: 'Loud and clear.' }).textContent()) ?? '',
        new RegExp(organiser),
      );

      // Too long for the SFU's chat budget: refused with a clear message, the text kept.
      const long = 'x'.repeat(3001);
      await igorPanel.getByRole('textbox', { name: ui.message }).fill(long);
      await igorPanel.getByRole('textbox', { name: ui.message }).press('Enter');
      await igorPanel.getByRole('alert').filter({ hasText: ui.tooLong }).waitFor();
      assert.equal((await igorPanel.getByRole('textbox', { name: ui.message }).inputValue()).length, 3001);

      // Typing M into the message box writes an "m"; it does not touch the microphone.
      const microphone = chloe.getByRole('button', { name: ui.microphone, exact: true });
      assert.equal(await microphone.getAttribute('aria-pressed'), 'false');
      await chloePanel.getByRole('textbox', { name: ui.message }).press('m');
      assert.equal(await chloePanel.getByRole('textbox', { name: ui.message }).inputValue(), 'm');
      assert.equal(await microphone.getAttribute('aria-pressed'), 'false');
      // Outside a text field, M toggles the microphone.
      await chloe.getByRole('heading', { level: 1, name: title }).focus();
      await chloe.keyboard.press('m');
      await waitFor(
        'the microphone on',
        async () => (await microphone.getAttribute('aria-pressed')) === 'true',
      );

      // ? lists the shortcuts in a dialog; F6 reaches the toolbar.
      await chloe.keyboard.press('?');
      const help = chloe.getByRole('dialog', { name: ui.shortcuts });
      await help.waitFor();
      for (const row of ui.shortcutRows) await help.getByRole('row').filter({ hasText: row }).waitFor();
      assert.deepEqual(await seriousA11yViolations(chloe), [], 'accessibility of the shortcuts dialog');
      await screenshot(chloe, `shortcuts-${language}`);
      await help.getByRole('button', { name: ui.close, exact: true }).click();
      await help.waitFor({ state: 'detached' });
      await chloe.keyboard.press('F6');
      assert.equal(
        await chloe.evaluate(() =>
          document.activeElement?.closest('[role="group"]')?.getAttribute('aria-label'),
        ),
        language === 'en' ? 'Meeting controls' : 'Commandes de la réunion',
      );

      // The security panel: the suite in words, equal safety codes, the verified mark.
      let codes: string[] = [];
      await waitFor('the same safety code on both screens', async () => {
        codes = [await safetyCode(chloe, language), await safetyCode(igor, language)];
        return codes[0] !== '' && codes[0] === codes[1];
      });
      const security = chloe.getByRole('region', { name: ui.securityPanel, exact: true });
      await security.getByText(ui.suite).waitFor();
      assert.deepEqual(await seriousA11yViolations(chloe), [], 'accessibility of the security panel');
      await screenshot(chloe, `security-${language}`);
      const verify = security.getByRole('button', { name: ui.verify });
      await verify.click();
      assert.equal(await verify.getAttribute('aria-pressed'), 'true');

      // A third person joins: the mark goes, and the panel and the screen reader say why.
      const tess = await signInAndEnter(language, third, title);
      await security.getByText(ui.verifiedReset).waitFor({ timeout: 30_000 });
      assert.equal(await verify.getAttribute('aria-pressed'), 'false');
      await waitFor('the reset and the arrival announced', async () => {
        const said = await announcements(chloe, language);
        return said.includes(ui.verifiedReset) && said.includes(ui.joined(third));
      });

      // Leaving erases the chat: coming back shows no history.
      await chloe.getByRole('button', { name: ui.leave, exact: true }).click();
      await chloe.getByRole('heading', { level: 1, name: ui.left }).waitFor();
      await chloe.goto(`${app.web.url}/`);
      await chloe.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
      await enter(chloe, language, title);
      await chloe.getByRole('button', { name: ui.chat, exact: true }).click();
      await chloe.getByRole('region', { name: ui.chatPanel, exact: true }).getByText(ui.empty).waitFor();

      for (const page of [chloe, igor, tess]) assert.deepEqual(await cspViolations(page), []);
      for (const page of [chloe, igor, tess]) await page.context().close();
    });

    it('at 320 px wide the meeting screen and its panels fit without horizontal scrolling and pass axe, colour contrast included', async () => {
      const organiser = `nina-${language}`;
      await app.auth.addUser(organiser, strongPassword(organiser), ['organiser']);
      const token = await app.apiToken(organiser, strongPassword(organiser));
      const title = `Narrow ${language}`;
      await scheduleSoon(app, token, {
        title,
      });
      const nina = await signInAndEnter(language, organiser, title);
      await nina.setViewportSize({ width: 320, height: 640 });
      await nina.getByRole('status').filter({ hasText: ui.encrypted }).waitFor({ timeout: 30_000 });
      assert.ok(await noHorizontalScroll(nina), 'the meeting screen fits 320 px');
      assert.deepEqual(await seriousA11yViolations(nina), [], 'accessibility of the meeting at 320 px');

      await nina.getByRole('button', { name: ui.chat, exact: true }).click();
      const chat = nina.getByRole('region', { name: ui.chatPanel, exact: true });
      await chat.getByText(ui.marker).waitFor();
      assert.ok(await noHorizontalScroll(nina), 'the chat panel fits 320 px');
      const box = await chat.boundingBox();
      assert.ok(box !== null && box.width >= 290, `the chat panel covers the width (${box?.width})`);
      assert.deepEqual(await seriousA11yViolations(nina), [], 'accessibility of the chat at 320 px');
      await screenshot(nina, `chat-320-${language}`);
      await chat.getByRole('button', { name: ui.closeChat }).click();
      const chatToggle = nina.getByRole('button', { name: ui.chat, exact: true });
      await waitFor('focus back on the chat toggle', () =>
        chatToggle.evaluate((element) => element === document.activeElement),
      );

      await nina.getByRole('button', { name: ui.security, exact: true }).click();
      await nina.getByRole('region', { name: ui.securityPanel, exact: true }).waitFor();
      assert.ok(await noHorizontalScroll(nina), 'the security panel fits 320 px');
      assert.deepEqual(
        await seriousA11yViolations(nina),
        [],
        'accessibility of the security panel at 320 px',
      );
      assert.deepEqual(await cspViolations(nina), []);
      await nina.context().close();
    });
  });
}
