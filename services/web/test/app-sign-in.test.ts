import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
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
    newPasswordTitle: 'Choose a new password',
    newPassword: 'New password',
    confirmPassword: 'Confirm the new password',
    save: 'Save the password and continue',
    meetings: 'My meetings',
    live: 'In progress',
    join: (title: string) => `Join ${title}`,
    generic: /Sign-in failed\. Check your user name and password/,
    signOut: 'Sign out',
    privacy: 'Privacy notice',
    otherLanguage: 'Français',
    titleHidden: 'Meeting (its title is shown once you are admitted)',
    totpTitle: 'Two-step verification',
    totpCode: 'Verification code',
    totpSubmit: 'Verify',
    totpError: /The code was not accepted/,
    instant: 'Start an instant meeting',
    instantCreated: 'Your instant meeting has been created.',
    instantTitle: (name: string) => `Instant meeting of ${name}`,
  },
  fr: {
    locale: 'fr-FR',
    signIn: 'Connexion',
    submit: 'Se connecter',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    newPasswordTitle: 'Choisissez un nouveau mot de passe',
    newPassword: 'Nouveau mot de passe',
    confirmPassword: 'Confirmez le nouveau mot de passe',
    save: 'Enregistrer le mot de passe et continuer',
    meetings: 'Mes réunions',
    live: 'En cours',
    join: (title: string) => `Rejoindre ${title}`,
    generic: /La connexion a échoué\. Vérifiez votre nom d’utilisateur et votre mot de passe/,
    signOut: 'Se déconnecter',
    privacy: 'Politique de confidentialité',
    otherLanguage: 'English',
    titleHidden: 'Réunion (son titre s’affiche une fois que vous êtes admis)',
    totpTitle: 'Vérification en deux étapes',
    totpCode: 'Code de vérification',
    totpSubmit: 'Vérifier',
    totpError: /Le code n’a pas été accepté/,
    instant: 'Lancer une réunion immédiate',
    instantCreated: 'Votre réunion immédiate a été créée.',
    instantTitle: (name: string) => `Réunion immédiate de ${name}`,
  },
} as const;
type Language = keyof typeof UI;

let app: AppFixture;

before(async () => {
  app = await startApp();
});

after(async () => {
  await app?.close();
});

async function openApp(language: Language): Promise<Page> {
  const context = await app.newContext(UI[language].locale);
  const page = await context.newPage();
  await page.goto(`${app.web.url}/`);
  await page.getByRole('heading', { level: 1, name: UI[language].signIn }).waitFor();
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

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`meeting client in ${language}`, () => {
    it('signing in with a one-time password forces a new password, then My meetings lists the invitation, live first', async () => {
      const oneTime = strongPassword(`once-${language}`);
      const chosen = strongPassword(`mine-${language}`);
      const username = `alice-${language}`;
      const userId = await app.auth.addUser(username, oneTime, ['member'], { mustChangePassword: true });
      await app.auth.addUser(`olivia-${language}`, strongPassword('olivia'), ['organiser']);
      const organiserToken = await app.apiToken(`olivia-${language}`, strongPassword('olivia'));
      const schedule = async (title: string, startsInMs: number, waitsInLobby = false) => {
        const startsAt = new Date(Date.now() + startsInMs);
        const reply = await app.rooms.api('POST', '/meetings', organiserToken, {
          title,
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
          timeZone: 'Europe/Paris',
          invitees: [userId],
          // Named for auto-admission, she would not wait in the lobby: the list may show her the title.
          ...(waitsInLobby ? {} : { autoAdmit: [userId] }),
          classification: 'Diffusion restreinte',
        });
        assert.equal(reply.status, 201, JSON.stringify(reply.body));
        return reply.body.id as string;
      };
      await schedule(`Budget review ${language}`, 3_600_000);
      const crisis = await schedule(`Crisis cell ${language}`, 86_400_000);
      // One she would wait in the lobby for: its title stays hidden from her until she is admitted.
      await schedule(`Board ${language}`, 2 * 86_400_000, true);
      // The organiser enters the later meeting: it is live, so it comes first although it starts later.
      const joined = await app.rooms.api('POST', `/meetings/${crisis}/join`, organiserToken);
      assert.equal(joined.body.state, 'admitted', JSON.stringify(joined.body));

      const page = await openApp(language);
      await assertAccessible(page, 'sign-in');
      await screenshot(page, `sign-in-${language}`);
      await fillCredentials(page, language, username, oneTime);

      await page.getByRole('heading', { level: 1, name: ui.newPasswordTitle }).waitFor();
      await assertAccessible(page, 'new password');
      await screenshot(page, `new-password-${language}`);
      await page.getByLabel(ui.newPassword, { exact: true }).fill(chosen);
      await page.getByLabel(ui.confirmPassword).fill(chosen);
      await page.getByRole('button', { name: ui.save }).click();

      await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
      const titles = page.getByRole('list', { name: ui.meetings }).getByRole('heading', { level: 2 });
      await titles.nth(2).waitFor();
      assert.deepEqual(await titles.allTextContents(), [
        `Crisis cell ${language}`,
        `Budget review ${language}`,
        ui.titleHidden,
      ]);
      assert.equal(await page.getByText(ui.live, { exact: true }).count(), 1);
      const join = page.getByRole('button', { name: ui.join(`Crisis cell ${language}`) });
      assert.equal(await join.isDisabled(), false, 'Join leads to the pre-join screen');
      await assertAccessible(page, 'my meetings');
      await screenshot(page, `my-meetings-${language}`);

      // The one-time password is gone; the chosen one works.
      assert.equal((await app.auth.login(username, oneTime)).status, 401);
      assert.equal((await app.auth.login(username, chosen)).body.kind, 'tokens');

      // A reload resumes the session from the __Host- cookie set through the proxy.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();

      await page.getByRole('button', { name: ui.signOut }).click();
      await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor();
      assert.deepEqual(await cspViolations(page), []);
      await page.context().close();
    });

    it('a wrong password and an unknown user name get the same generic message', async () => {
      const username = `bob-${language}`;
      await app.auth.addUser(username, strongPassword(`bob-${language}`));
      const page = await openApp(language);
      const messages: string[] = [];
      for (const [user, password] of [
        [username, strongPassword('not-his')],
        [`nobody-${language}`, strongPassword('anything')],
      ] as const) {
        await fillCredentials(page, language, user, password);
        const alert = page.getByRole('alert');
        await alert.filter({ hasText: ui.generic }).waitFor();
        messages.push((await alert.textContent()) ?? '');
      }
      assert.equal(messages[0], messages[1]);
      assert.match(messages[0]!, ui.generic);
      await assertAccessible(page, 'sign-in with an error');
      await screenshot(page, `sign-in-error-${language}`);
      await page.getByRole('link', { name: ui.privacy }).first().click();
      await page.getByRole('heading', { level: 1, name: ui.privacy }).waitFor();
      await assertAccessible(page, 'privacy notice');
      await screenshot(page, `privacy-${language}`);
      assert.deepEqual(await cspViolations(page), []);
      await page.context().close();
    });

    it('an account with TOTP is asked for the code after the password, and a wrong code gets the generic code message', async () => {
      const username = `tom-${language}`;
      const password = strongPassword(`tom-${language}`);
      await app.auth.addUser(username, password);
      const token = await app.apiToken(username, password);
      const enrolment = await app.auth.request('POST', '/api/auth/totp/enrol', {
        headers: { authorization: `Bearer ${token}` },
        json: { password },
      });
      const secret = base32Decode(enrolment.body.secret as string);
      const codeAt = (ms: number) => totpAt(secret, totpStep(ms, 30));
      const confirmed = await app.auth.request('POST', '/api/auth/totp/confirm', {
        headers: { authorization: `Bearer ${token}` },
        json: { code: codeAt(app.auth.clock.now()) },
      });
      assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
      // A code is accepted once: the sign-in uses the next time step.
      app.auth.clock.advance(30_000);

      const page = await openApp(language);
      await fillCredentials(page, language, username, password);
      await page.getByRole('heading', { level: 1, name: ui.totpTitle }).waitFor();
      await page
        .getByRole('textbox', { name: ui.totpCode })
        .fill('000000' === codeAt(app.auth.clock.now()) ? '111111' : '000000');
      await page.getByRole('button', { name: ui.totpSubmit }).click();
      await page.getByRole('alert').filter({ hasText: ui.totpError }).waitFor();
      await assertAccessible(page, 'TOTP step');
      await screenshot(page, `totp-${language}`);
      await page.getByRole('textbox', { name: ui.totpCode }).fill(codeAt(app.auth.clock.now()));
      await page.getByRole('button', { name: ui.totpSubmit }).click();
      await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
      assert.deepEqual(await cspViolations(page), []);
      await page.context().close();
    });

    it('an organiser starts an instant meeting in one click and it appears in My meetings', async () => {
      const username = `oscar-${language}`;
      const password = strongPassword(`oscar-${language}`);
      await app.auth.addUser(username, password, ['organiser']);
      const page = await openApp(language);
      await fillCredentials(page, language, username, password);
      await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor();
      await page.getByRole('button', { name: ui.instant }).click();
      await page.getByRole('status').filter({ hasText: ui.instantCreated }).waitFor();
      const list = page.getByRole('list', { name: ui.meetings });
      await list.getByRole('heading', { level: 2, name: ui.instantTitle(username) }).waitFor();
      await assertAccessible(page, 'my meetings (organiser)');
      await screenshot(page, `my-meetings-organiser-${language}`);
      await page.setViewportSize({ width: 320, height: 640 });
      await screenshot(page, `my-meetings-320px-${language}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > 320);
      assert.equal(overflow, false, 'no horizontal scrolling at 320 px');
      assert.deepEqual(await cspViolations(page), []);
      await page.context().close();
    });

    it('the language switch changes the interface and the choice survives a reload', async () => {
      const page = await openApp(language);
      const other: Language = language === 'en' ? 'fr' : 'en';
      await page.getByRole('button', { name: ui.otherLanguage }).click();
      await page.getByRole('heading', { level: 1, name: UI[other].signIn }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), other);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: UI[other].signIn }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), other);
      assert.deepEqual(await cspViolations(page), []);
      await page.context().close();
    });
  });
}

describe('keyboard', () => {
  it('the first Tab reaches the skip link, which takes the next Tab straight to the user name field', async () => {
    const page = await openApp('en');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    assert.equal(await skip.evaluate((el) => el === document.activeElement), true);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const username = page.getByRole('textbox', { name: UI.en.username });
    assert.equal(await username.evaluate((el) => el === document.activeElement), true);
    await page.context().close();
  });
});

describe('web server', () => {
  it('every response, static or proxied, carries the strict security headers', async () => {
    const context = await app.newContext('en-GB');
    for (const [path, status] of [
      ['/', 200],
      ['/client.js', 200],
      ['/test/', 200],
      ['/missing.js', 404],
      ['/api/auth/me', 401],
      ['/api/rooms/meetings', 401],
    ] as const) {
      const response = await context.request.get(`${app.web.url}${path}`);
      assert.equal(response.status(), status, path);
      const headers = response.headers();
      const csp = headers['content-security-policy'] ?? '';
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(headers['strict-transport-security'] ?? '', /max-age=\d{7,}/, path);
      assert.equal(headers['referrer-policy'], 'no-referrer', path);
      assert.equal(headers['cross-origin-opener-policy'], 'same-origin', path);
      assert.equal(
        headers['permissions-policy'],
        'camera=(self), microphone=(self), display-capture=(self), geolocation=()',
        path,
      );
      assert.equal(headers['x-content-type-options'], 'nosniff', path);
    }
    await context.close();
  });

  it('the proxy refuses a path that climbs out of its service prefix with 400 bad_request', async () => {
    // Raw requests: a browser or fetch() would resolve the dot segments before sending them.
    for (const path of [
      '/api/auth/../rooms/meetings',
      '/api/auth/..%2f..%2fapi/rooms/meetings',
      '/api/auth/%2e%2e/rooms/meetings',
    ]) {
      const reply = await rawGet(app.web.url, app.webCa, path);
      assert.equal(reply.status, 400, path);
      assert.equal(JSON.parse(reply.body).code, 'bad_request', path);
    }
  });

  it('the test page loads under /test/ without a CSP violation (zod runs jitless in the SDK)', async () => {
    const context = await app.newContext('en-GB');
    const page = await context.newPage();
    await page.goto(`${app.web.url}/test/`);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await cspViolations(page), []);
    await context.close();
  });
});

/** GET with the path sent exactly as written (no URL normalisation), trusting the test certificate. */
function rawGet(origin: string, ca: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', ca }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
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
