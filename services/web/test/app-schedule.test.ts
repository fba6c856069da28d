import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
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
    submit: 'Sign in',
    username: 'User name',
    password: 'Password',
    meetings: 'My meetings',
    newMeeting: 'New meeting',
    scheduleTitle: 'Schedule a meeting',
    editTitle: 'Edit the meeting',
    title: 'Title',
    date: 'Date',
    time: 'Start time',
    duration: 'Duration (minutes)',
    timeZone: 'Time zone',
    invitees: 'Invitees (people and groups)',
    coOrganisers: 'Co-organisers',
    classification: 'Classification label (optional)',
    postQuantum: /^Post-quantum hybrid/,
    autoAdmit: 'Let named invitees in without waiting',
    scheduleSubmit: 'Schedule the meeting',
    save: 'Save changes',
    titleRequired: 'Give the meeting a title.',
    past: 'This time has already passed. Choose a later one.',
    scheduled: (title: string) => `“${title}” is scheduled.`,
    saved: (title: string) => `“${title}” is updated.`,
    refresh: 'Refresh',
    join: (title: string) => `Join ${title}`,
    edit: (title: string) => `Edit: ${title}`,
    copy: (title: string) => `Copy invitation: ${title}`,
    copied: 'Invitation copied.',
    calendar: (title: string) => `Add to calendar: ${title}`,
    cancel: (title: string) => `Cancel meeting: ${title}`,
    cancelDialog: (title: string) => `Cancel “${title}”?`,
    confirmCancel: 'Yes, cancel it',
    cancelled: (title: string) => `“${title}” is cancelled.`,
    cancelledBadge: 'Cancelled',
    joinWord: 'Join:',
  },
  fr: {
    locale: 'fr-FR',
    signIn: 'Connexion',
    submit: 'Se connecter',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    meetings: 'Mes réunions',
    newMeeting: 'Nouvelle réunion',
    scheduleTitle: 'Planifier une réunion',
    editTitle: 'Modifier la réunion',
    title: 'Titre',
    date: 'Date',
    time: 'Heure de début',
    duration: 'Durée (minutes)',
    timeZone: 'Fuseau horaire',
    invitees: 'Invités (personnes et groupes)',
    coOrganisers: 'Co-organisateurs',
    classification: 'Mention de classification (facultative)',
    postQuantum: /^Hybride post-quantique/,
    autoAdmit: 'Faire entrer directement les invités nommés',
    scheduleSubmit: 'Planifier la réunion',
    save: 'Enregistrer les modifications',
    titleRequired: 'Donnez un titre à la réunion.',
    past: 'Cette heure est déjà passée. Choisissez-en une plus tardive.',
    scheduled: (title: string) => `« ${title} » est planifiée.`,
    saved: (title: string) => `« ${title} » est mise à jour.`,
    refresh: 'Actualiser',
    join: (title: string) => `Rejoindre ${title}`,
    edit: (title: string) => `Modifier : ${title}`,
    copy: (title: string) => `Copier l’invitation : ${title}`,
    copied: 'Invitation copiée.',
    calendar: (title: string) => `Ajouter à l’agenda : ${title}`,
    cancel: (title: string) => `Annuler la réunion : ${title}`,
    cancelDialog: (title: string) => `Annuler « ${title} » ?`,
    confirmCancel: 'Oui, l’annuler',
    cancelled: (title: string) => `« ${title} » est annulée.`,
    cancelledBadge: 'Annulée',
    joinWord: 'Rejoindre :',
  },
} as const;
type Language = keyof typeof UI;

const WAIT = { timeout: 30_000 };

let app: AppFixture;

before(async () => {
  app = await startApp();
});

after(async () => {
  await app?.close();
});

async function signIn(context: BrowserContext, language: Language, username: string): Promise<Page> {
  const ui = UI[language];
  const page = await context.newPage();
  await page.goto(`${app.web.url}/`);
  await page.getByRole('heading', { level: 1, name: ui.signIn }).waitFor(WAIT);
  await page.getByRole('textbox', { name: ui.username }).fill(username);
  await page.getByLabel(ui.password, { exact: true }).fill(strongPassword(username));
  await page.getByRole('button', { name: ui.submit, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: ui.meetings }).waitFor(WAIT);
  return page;
}

/** The entry of My meetings whose heading is `title`. */
function entry(page: Page, title: string) {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
}

async function assertAccessible(page: Page, what: string): Promise<void> {
  assert.deepEqual(await seriousA11yViolations(page), [], `accessibility of ${what}`);
}

/** Tomorrow's date on the wall clock of Paris, as a date field takes it. */
function tomorrowInParis(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(Date.now() + 86_400_000);
}

for (const language of ['en', 'fr'] as const) {
  const ui = UI[language];
  describe(`scheduling in ${language}`, () => {
    const title = language === 'en' ? 'Security committee' : 'Comité de sécurité';
    const newTitle = `${title} (2)`;
    let organiser: Page;
    let invitee: Page;
    let meetingId: string;
    let organiserToken: string;
    let ivan: string;
    let cora: string;

    before(async () => {
      await app.auth.addUser(`olga-${language}`, strongPassword(`olga-${language}`), ['organiser']);
      ivan = await app.auth.addUser(`ivan-${language}`, strongPassword(`ivan-${language}`), ['member']);
      cora = await app.auth.addUser(`cora-${language}`, strongPassword(`cora-${language}`), ['member']);
      organiserToken = await app.apiToken(`olga-${language}`, strongPassword(`olga-${language}`));
      const organiserContext = await app.newContext(ui.locale);
      await organiserContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.web.url });
      organiser = await signIn(organiserContext, language, `olga-${language}`);
      invitee = await signIn(await app.newContext(ui.locale), language, `ivan-${language}`);
    });

    it('the form refuses an empty title and a past time next to the fields, then schedules a post-quantum meeting that organiser and invitee both see', async () => {
      await organiser.getByRole('button', { name: ui.newMeeting }).click();
      await organiser.getByRole('heading', { level: 1, name: ui.scheduleTitle }).waitFor(WAIT);
      await assertAccessible(organiser, 'the schedule form');
      await screenshot(organiser, `schedule-${language}`);
      // Usable at 320 px wide: nothing scrolls sideways.
      const viewport = organiser.viewportSize()!;
      await organiser.setViewportSize({ width: 320, height: 800 });
      assert.ok(
        await organiser.evaluate(() => document.documentElement.scrollWidth <= 320),
        'the form fits 320 px',
      );
      await organiser.setViewportSize(viewport);

      // Nothing typed: the title is refused next to its field, and focus goes there.
      await organiser.getByRole('button', { name: ui.scheduleSubmit }).click();
      await organiser.getByText(ui.titleRequired).waitFor(WAIT);
      const titleField = organiser.getByRole('textbox', { name: ui.title, exact: true });
      assert.equal(
        await titleField.evaluate((el) => el === document.activeElement),
        true,
        'focus on the title',
      );
      assert.equal(await titleField.getAttribute('aria-invalid'), 'true');
      await assertAccessible(organiser, 'the schedule form with errors');

      await titleField.fill(title);
      await organiser.getByLabel(ui.date, { exact: true }).fill('2020-01-02');
      await organiser.getByRole('button', { name: ui.scheduleSubmit }).click();
      await organiser.getByText(ui.past).waitFor(WAIT);
      assert.equal(
        await organiser.getByLabel(ui.time, { exact: true }).evaluate((el) => el === document.activeElement),
        true,
        'focus on the first field in error',
      );

      await organiser.getByLabel(ui.date, { exact: true }).fill(tomorrowInParis());
      await organiser.getByLabel(ui.time, { exact: true }).fill('10:00');
      await organiser.getByRole('textbox', { name: ui.duration }).fill('90');
      const zone = organiser.getByRole('combobox', { name: ui.timeZone });
      await zone.fill('Europe/Par');
      await organiser.getByRole('option', { name: 'Europe/Paris', exact: true }).click();
      assert.equal(await zone.inputValue(), 'Europe/Paris');
      await organiser.getByRole('textbox', { name: ui.invitees }).fill(ivan);
      await organiser.getByRole('textbox', { name: ui.coOrganisers }).fill(cora);
      await organiser.getByRole('textbox', { name: ui.classification }).fill('Diffusion restreinte');
      // react-aria's inputs are visually hidden inside their label: the click lands on the label, as a person's does.
      await organiser.getByRole('radio', { name: ui.postQuantum }).check({ force: true });
      await organiser.getByRole('checkbox', { name: ui.autoAdmit }).check({ force: true });
      await organiser.getByRole('button', { name: ui.scheduleSubmit }).click();

      await organiser.getByRole('heading', { level: 1, name: ui.meetings }).waitFor(WAIT);
      await organiser
        .getByRole('status')
        .filter({ hasText: ui.scheduled(title) })
        .waitFor(WAIT);
      await entry(organiser, title).waitFor(WAIT);

      const list = (await app.rooms.api('GET', '/meetings', organiserToken)).body as {
        id: string;
        title: string;
      }[];
      meetingId = list.find((m) => m.title === title)!.id;
      const view = (await app.rooms.api('GET', `/meetings/${meetingId}`, organiserToken)).body;
      assert.equal(view.e2eeSuite, 'xwing-pq');
      assert.equal(view.timeZone, 'Europe/Paris');
      assert.equal(view.classification, 'Diffusion restreinte');
      assert.deepEqual(view.invitees, [ivan]);
      assert.deepEqual(view.coOrganisers, [cora]);
      assert.deepEqual(view.autoAdmit, [ivan]);
      assert.equal(Date.parse(view.endsAt) - Date.parse(view.startsAt), 90 * 60_000);
      const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeStyle: 'short' });
      assert.equal(paris.format(new Date(view.startsAt)), '10:00');

      await invitee.getByRole('button', { name: ui.refresh }).click();
      await entry(invitee, title)
        .getByRole('button', { name: ui.join(title) })
        .waitFor(WAIT);
      assert.deepEqual(await cspViolations(organiser), []);
    });

    it('the organiser edits the title and the invitee sees the new title', async () => {
      await entry(organiser, title)
        .getByRole('button', { name: ui.edit(title) })
        .click();
      await organiser.getByRole('heading', { level: 1, name: ui.editTitle }).waitFor(WAIT);
      const titleField = organiser.getByRole('textbox', { name: ui.title, exact: true });
      await organiser.waitForFunction(
        (expected) =>
          (document.querySelector('input[type="date"]') as HTMLInputElement | null)?.value === expected,
        tomorrowInParis(),
        WAIT,
      );
      assert.equal(await titleField.inputValue(), title);
      assert.equal(await organiser.getByRole('radio', { name: ui.postQuantum }).isChecked(), true);
      await assertAccessible(organiser, 'the edit form');
      await titleField.fill(newTitle);
      await organiser.getByRole('button', { name: ui.save }).click();
      await organiser
        .getByRole('status')
        .filter({ hasText: ui.saved(newTitle) })
        .waitFor(WAIT);
      await entry(organiser, newTitle).waitFor(WAIT);
      await screenshot(organiser, `my-meetings-schedule-${language}`);

      await invitee.getByRole('button', { name: ui.refresh }).click();
      await entry(invitee, newTitle)
        .getByRole('button', { name: ui.join(newTitle) })
        .waitFor(WAIT);
      assert.equal(await entry(invitee, title).count(), 0);
    });

    it('copy invitation puts the link, title and time in the clipboard without a token, and the .ics downloads and parses', async () => {
      await entry(organiser, newTitle)
        .getByRole('button', { name: ui.copy(newTitle) })
        .click();
      await entry(organiser, newTitle).getByRole('status').filter({ hasText: ui.copied }).waitFor(WAIT);
      const text = await organiser.evaluate(() => navigator.clipboard.readText());
      const link = `${app.web.url}/#/join/${meetingId}`;
      assert.ok(text.includes(newTitle), text);
      assert.ok(text.includes(`${ui.joinWord} ${link}`), text);
      assert.ok(text.includes('Europe/Paris'), text);
      assert.ok(
        !text.includes(organiserToken) && !/eyJ[A-Za-z0-9_-]{10,}/.test(text),
        'no token in the invitation',
      );

      const [download] = await Promise.all([
        organiser.waitForEvent('download', WAIT),
        entry(organiser, newTitle)
          .getByRole('button', { name: ui.calendar(newTitle) })
          .click(),
      ]);
      assert.match(download.suggestedFilename(), /\.ics$/);
      const ics = await readFile((await download.path())!, 'utf8');
      assert.ok(ics.startsWith('BEGIN:VCALENDAR\r\n'));
      const lines = ics.replace(/\r\n /g, '').split('\r\n');
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
      const view = (await app.rooms.api('GET', `/meetings/${meetingId}`, organiserToken)).body;
      const compact = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
      assert.equal(field('UID'), `${meetingId}@127.0.0.1`);
      assert.equal(field('DTSTART'), compact(view.startsAt));
      assert.equal(field('DTEND'), compact(view.endsAt));
      assert.equal(field('SUMMARY'), newTitle.replace(/,/g, '\\,'));
      assert.equal(field('URL'), link);
      assert.equal(field('STATUS'), 'CONFIRMED');
      assert.ok(!/eyJ[A-Za-z0-9_-]{10,}/.test(ics), 'no token in the calendar file');
    });

    it('the organiser cancels after confirming, and the invitee sees it cancelled and cannot join', async () => {
      await entry(organiser, newTitle)
        .getByRole('button', { name: ui.cancel(newTitle) })
        .click();
      const dialog = organiser.getByRole('alertdialog', { name: ui.cancelDialog(newTitle) });
      await dialog.waitFor(WAIT);
      await assertAccessible(organiser, 'the cancel confirmation');
      await screenshot(organiser, `cancel-meeting-${language}`);
      await dialog.getByRole('button', { name: ui.confirmCancel }).click();
      await organiser
        .getByRole('status')
        .filter({ hasText: ui.cancelled(newTitle) })
        .waitFor(WAIT);
      await entry(organiser, newTitle).getByText(ui.cancelledBadge, { exact: true }).waitFor(WAIT);

      await invitee.getByRole('button', { name: ui.refresh }).click();
      await entry(invitee, newTitle).getByText(ui.cancelledBadge, { exact: true }).waitFor(WAIT);
      assert.equal(
        await entry(invitee, newTitle)
          .getByRole('button', { name: ui.join(newTitle) })
          .count(),
        0,
      );
      const inviteeToken = await app.apiToken(`ivan-${language}`, strongPassword(`ivan-${language}`));
      const join = await app.rooms.api('POST', `/meetings/${meetingId}/join`, inviteeToken);
      assert.equal(join.status, 409);
      assert.equal(join.body.code, 'meeting_cancelled');
      await assertAccessible(invitee, 'My meetings with a cancelled meeting');
      assert.deepEqual(await cspViolations(organiser), []);
      assert.deepEqual(await cspViolations(invitee), []);
    });
  });
}
