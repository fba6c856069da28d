import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort, startOidcProvider, type OidcProviderFixture } from '@conclave/testing';
import { totpAt, totpStep } from '../../auth/src/credentials/totp';
import { strongPassword } from '../../auth/test/support/auth-fixture';
import {
  cspViolations,
  screenshot,
  seriousA11yViolations,
  startApp,
  type AppFixture,
} from './support/app-fixture';

/** What a person reads, per language: the tests find everything by role and accessible name. */
const UI = {
  en: {
    locale: 'en-GB',
    signIn: 'Sign in',
    submit: 'Sign in',
    username: 'User name',
    password: 'Password',
    meetings: 'My meetings',
    signOut: 'Sign out',
    totpTitle: 'Two-step verification',
    totpCode: 'Verification code',
    totpSubmit: 'Verify',
    start: 'Set up two-step verification',
    qr: /^QR code for your authenticator app/,
    copyKey: 'Copy the key',
    appCode: 'Code from the app',
    confirm: 'Turn on two-step verification',
    recoveryTitle: 'Save your recovery codes',
    recoveryList: 'Recovery codes',
    saved: 'I have saved my recovery codes',
    continue: 'Continue',
    enrolled: /Two-step verification is on\. Enter a new code/,
    security: 'Security',
    currentPassword: 'Your current password',
    securityOn: /^Two-step verification is on\. If you lose your phone/,
    securityDone: 'Two-step verification is now on.',
    sso: 'Sign in with Test identity provider',
    ssoFailed: /did not finish\. Try again, or sign in with your password/,
    retry: 'Too many attempts. Try again in 15 minutes.',
    expired: 'Your session has ended. Sign in again to continue where you were.',
    join: (title: string) => `Join ${title}`,
    prejoin: (title: string) => `Before you join: ${title}`,
  },
  fr: {
    locale: 'fr-FR',
    signIn: 'Connexion',
    submit: 'Se connecter',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    meetings: 'Mes réunions',
    signOut: 'Se déconnecter',
    totpTitle: 'Vérification en deux étapes',
    totpCode: 'Code de vérification',
    totpSubmit: 'Vérifier',
    start: 'Configurer la vérification en deux étapes',
    qr: /^QR code pour votre application d’authentification/,
    copyKey: 'Copier la clé',
    appCode: 'Code de l’application',
    confirm: 'Activer la vérification en deux étapes',
    recoveryTitle: 'Conservez vos codes de secours',
    recoveryList: 'Codes de secours',
    saved: 'J’ai conservé mes codes de secours',
    continue: 'Continuer',
    enrolled: /La vérification en deux étapes est activée\. Saisissez un nouveau code/,
    security: 'Sécurité',
    currentPassword: 'Votre mot de passe actuel',
    securityOn: /^La vérification en deux étapes est activée\. Si vous perdez votre téléphone/,
    securityDone: 'La vérification en deux étapes est maintenant activée.',
    sso: 'Se connecter avec Test identity provider',
    ssoFailed: /n’a pas abouti\. Réessayez, ou connectez-vous avec votre mot de passe/,
    retry: 'Trop de tentatives. Réessayez dans 15 minutes.',
    expired: 'Votre session a pris fin. Reconnectez-vous pour reprendre là où vous étiez.',
    join: (title: string) => `Rejoindre ${title}`,
    prejoin: (title: string) => `Avant d’entrer : ${title}`,
  },
} as const;
type Language = keyof typeof UI;

const clientSecret = 'oidc-test-client-secret-0123456789';
const secretDir = mkdtempSync(join(tmpdir(), 'conclave-app-oidc-'));
let app: AppFixture;
let idp: OidcProviderFixture;

before(async () => {
  const webPort = await freePort();
  const redirectUri = `https://127.0.0.1:${webPort}/api/auth/oidc/callback`;
  idp = await startOidcProvider({
    clientId: 'conclave',
    clientSecret,
    redirectUri,
    accounts: {
      olive: { name: 'Olive Organiser', preferred_username: 'olive', groups: [] },
      odile: { name: 'Odile Organisatrice', preferred_username: 'odile', groups: [] },
    },
  });
  const secretFile = join(secretDir, 'client-secret');
  writeFileSync(secretFile, clientSecret, { mode: 0o600 });
  app = await startApp({
    webPort,
    auth: {
      oidc: {
        issuer: idp.issuer,
        clientId: 'conclave',
        clientSecretFile: secretFile,
        redirectUri,
        displayName: 'Test identity provider',
        allowLoopbackHttp: true,
      },
      // Locked after three failures, for the lockout message; short access tokens, so the page asks the
      // session cookie for new ones on every call and sees at once when its session was ended.
      throttle: { account: { freeAttempts: 3, lockAfter: 3, lockMinutes: 15 } },
      tokens: { accessTokenSeconds: 30 },
    },
  });
});

after(async () => {
  await app?.close();
  await idp?.stop();
  rmSync(secretDir, { recursive: true, force: true });
});

/** The auth service runs on a manual clock: keep it at least at real time (the rooms service checks expiry). */
function syncClock(): void {
  const behind = Date.now() - app.auth.clock.now();
  if (behind > 0) app.auth.clock.advance(behind);
}

/** The current TOTP code of `secret` (base32) at the auth service's time. */
function codeOf(secret: string): string {
  return totpAt(base32Decode(secret), totpStep(app.auth.clock.now(), 30));
}

async function openApp(language: Language, hash = ''): Promise<Page> {
  const context = await app.newContext(UI[language].locale);
  const page = await context.newPage();
  await page.goto(`${app.web.url}/${hash}`);
  await page.getByRole('heading', { level: 1, name: UI[language].signIn }).waitFor({ timeout: 30_000 });
  return page;
}

async function fillCredentials(page: Page, language: Language, username: string, password: string) {
  await page.getByRole('textbox', { name: UI[language].username }).fill(username);
  await page.getByLabel(UI[language].password, { exact: true }).fill(password);
  await page.getByRole('button', { name: UI[language].submit, exact: true }).click();
}

async function assertAccessible(page: Page, what: string): Promise<void> {
  assert.deepEqual(await seriousA11yViolations(page), [], `accessibility of ${what}`);
}

/** The manual key as shown (groups of four), read off the page as a person would copy it. */
async function readKey(page: Page): Promise<string> {
  const shown = await page.getByText(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/).textContent();
  assert.ok(shown !== null);
  return shown.replace(/ /g, '');
}

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`sign-in, two-step verification and single sign-on in ${language}`, () => {
    it('a person whose role requires TOTP enrols from the sign-in page (QR code, key, code), sees the recovery codes once, then signs in with a code', async () => {
      syncClock();
      const username = `adele-${language}`;
      const password = strongPassword(`adele-${language}`);
      await app.auth.addUser(username, password, ['admin']);
      const page = await openApp(language);
      await fillCredentials(page, language, username, password);

      await page.getByRole('heading', { level: 1, name: ui.totpTitle }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: ui.start }).click();
      await page.getByRole('heading', { level: 1, name: ui.start }).waitFor({ timeout: 30_000 });
      await page.getByRole('img', { name: ui.qr }).waitFor();
      await page.getByRole('button', { name: ui.copyKey }).waitFor();
      await assertAccessible(page, 'TOTP enrolment');
      await screenshot(page, `totp-enrolment-${language}`);
      const secret = await readKey(page);
      assert.match(secret, /^[A-Z2-7]{16,}$/);

      await page.getByRole('textbox', { name: ui.appCode }).fill(codeOf(secret));
      await page.getByRole('button', { name: ui.confirm }).click();
      await page.getByRole('heading', { level: 1, name: ui.recoveryTitle }).waitFor({ timeout: 30_000 });
      const codes = await page
        .getByRole('list', { name: ui.recoveryList })
        .getByRole('listitem')
        .allTextContents();
      assert.equal(codes.length, 10);
      for (const code of codes) assert.match(code, /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
      const proceed = page.getByRole('button', { name: ui.continue });
      assert.equal(await proceed.isDisabled(), true, 'Continue waits for "I have saved them"');
      await assertAccessible(page, 'recovery codes');
      await screenshot(page, `totp-recovery-codes-${language}`);
      await page.getByRole('checkbox', { name: ui.saved }).check();
      await proceed.click();

      // A code is accepted once: the sign-in uses the next time step.
      await page.getByRole('status').filter({ hasText: ui.enrolled }).waitFor({ timeout: 30_000 });
      app.auth.clock.advance(30_000);
      await page.getByRole('textbox', { name: ui.totpCode }).fill(codeOf(secret));
      await page.getByRole('button', { name: ui.totpSubmit }).click();
      await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor({ timeout: 30_000 });

      // Signed out and in again: password, then a code from the same secret.
      await page.getByRole('button', { name: ui.signOut }).click();
      await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor({ timeout: 30_000 });
      app.auth.clock.advance(30_000);
      await fillCredentials(page, language, username, password);
      await page.getByRole('heading', { level: 1, name: ui.totpTitle }).waitFor({ timeout: 30_000 });
      await page.getByRole('textbox', { name: ui.totpCode }).fill(codeOf(secret));
      await page.getByRole('button', { name: ui.totpSubmit }).click();
      await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor({ timeout: 30_000 });

      // The codes were shown once: the Security page says TOTP is on and lists none; each code works once.
      await page.getByRole('link', { name: ui.security }).click();
      await page.getByRole('heading', { level: 1, name: ui.security }).waitFor({ timeout: 30_000 });
      await page.getByText(ui.securityOn).waitFor();
      assert.equal(await page.getByRole('list', { name: ui.recoveryList }).count(), 0);
      assert.equal((await app.auth.login(username, password, codes[0])).body.kind, 'tokens');
      assert.equal((await app.auth.login(username, password, codes[0])).status, 401);
      assert.deepEqual(await cspViolations(page), []);
      await page.context().close();
    });

    it('a signed-in person turns on two-step verification from Security after giving their password again', async () => {
      syncClock();
      const username = `sam-${language}`;
      const password = strongPassword(`sam-${language}`);
      await app.auth.addUser(username, password);
      const page = await openApp(language);
      await fillCredentials(page, language, username, password);
      await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor({ timeout: 30_000 });
      await page.getByRole('link', { name: ui.security }).click();
      await page.getByRole('heading', { level: 1, name: ui.security }).waitFor({ timeout: 30_000 });
      await assertAccessible(page, 'security page');
      await screenshot(page, `security-page-${language}`);
      await page.getByLabel(ui.currentPassword).fill(password);
      await page.getByRole('button', { name: ui.start }).click();
      await page.getByRole('img', { name: ui.qr }).waitFor({ timeout: 30_000 });
      const secret = await readKey(page);
      await page.getByRole('textbox', { name: ui.appCode }).fill(codeOf(secret));
      await page.getByRole('button', { name: ui.confirm }).click();
      await page.getByRole('heading', { level: 1, name: ui.recoveryTitle }).waitFor({ timeout: 30_000 });
      await page.getByRole('checkbox', { name: ui.saved }).check();
      await page.getByRole('button', { name: ui.continue }).click();
      await page.getByRole('status').filter({ hasText: ui.securityDone }).waitFor({ timeout: 30_000 });
      await page.getByText(ui.securityOn).waitFor();
      // The next sign-in asks for a code.
      app.auth.clock.advance(30_000);
      assert.equal((await app.auth.login(username, password)).body.code, 'totp_required');
      assert.equal((await app.auth.login(username, password, codeOf(secret))).body.kind, 'tokens');
      assert.deepEqual(await cspViolations(page), []);
      await page.context().close();
    });

    it('the single sign-on button signs in through the OIDC provider and returns to the page the person was on', async () => {
      syncClock();
      const account = language === 'en' ? 'olive' : 'odile';
      // Signed out, the Security page shows sign-in in its place; single sign-on comes back to it.
      const page = await openApp(language, '#/security');
      const sso = page.getByRole('link', { name: ui.sso });
      await sso.waitFor({ timeout: 30_000 });
      await assertAccessible(page, 'sign-in with single sign-on');
      await screenshot(page, `sign-in-sso-${language}`);
      await sso.click();
      // The provider's own (development) pages.
      await page.getByPlaceholder('Enter any login').fill(account);
      await page.getByPlaceholder('and password').fill('any');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { level: 1, name: ui.security }).waitFor({ timeout: 30_000 });
      assert.equal(new URL(page.url()).origin, app.web.url);
      await page.getByText(account === 'olive' ? 'Olive Organiser' : 'Odile Organisatrice').waitFor();
      await page.getByRole('button', { name: ui.signOut }).click();
      await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await cspViolations(page), []);
      await page.context().close();

      // Back from a refused single sign-on (where the service sends the browser): one plain message.
      const failed = await openApp(language, '#/sign-in?sso=failed');
      await failed.getByRole('alert').filter({ hasText: ui.ssoFailed }).waitFor({ timeout: 30_000 });
      await assertAccessible(failed, 'single sign-on failed');
      await failed.context().close();
    });

    it('a locked account and an unknown name get the same "try again in 15 minutes" message', async () => {
      syncClock();
      const known = `lena-${language}`;
      await app.auth.addUser(known, strongPassword(`lena-${language}`));
      const unknown = `ghost-${language}`;
      for (const name of [known, unknown])
        for (let i = 0; i < 3; i++) await app.auth.login(name, strongPassword('wrong'));
      const page = await openApp(language);
      const messages: string[] = [];
      for (const name of [known, unknown]) {
        await fillCredentials(page, language, name, strongPassword('wrong-again'));
        const alert = page.getByRole('alert').filter({ hasText: ui.retry });
        await alert.waitFor({ timeout: 30_000 });
        messages.push((await alert.textContent()) ?? '');
      }
      assert.deepEqual(messages, [ui.retry, ui.retry]);
      await assertAccessible(page, 'sign-in locked');
      await screenshot(page, `sign-in-locked-${language}`);
      await page.context().close();
    });

    it('a session ended on the server sends the person to sign-in, then back to the meeting page they opened', async () => {
      syncClock();
      const username = `eve-${language}`;
      const password = strongPassword(`eve-${language}`);
      const userId = await app.auth.addUser(username, password);
      await app.auth.addUser(`owen-${language}`, strongPassword('owen'), ['organiser']);
      const organiser = await app.apiToken(`owen-${language}`, strongPassword('owen'));
      const title = `Weekly sync ${language}`;
      const startsAt = new Date(Date.now() + 3_600_000);
      const scheduled = await app.rooms.api('POST', '/meetings', organiser, {
        title,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        timeZone: 'Europe/Paris',
        invitees: [userId],
        autoAdmit: [userId],
      });
      assert.equal(scheduled.status, 201, JSON.stringify(scheduled.body));

      const page = await openApp(language);
      await fillCredentials(page, language, username, password);
      const join = page.getByRole('button', { name: ui.join(title) });
      await join.waitFor({ timeout: 30_000 });
      // Ended elsewhere (signed out on another device, or disabled and re-enabled by an administrator).
      await app.auth.service.core.sessions.revokeAllForUser(userId, 'test');
      await join.click();

      await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor({ timeout: 30_000 });
      await page.getByRole('status').filter({ hasText: ui.expired }).waitFor();
      assert.match(new URL(page.url()).hash, /^#\/join\//);
      await assertAccessible(page, 'sign-in after the session ended');
      await fillCredentials(page, language, username, password);
      await page.getByRole('heading', { level: 1, name: ui.prejoin(title) }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await cspViolations(page), []);
      await page.context().close();
    });
  });
}

/** RFC 4648 base32 (the TOTP secret's encoding in otpauth URIs). */
function base32Decode(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}
