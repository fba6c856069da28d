import en from './en.json';
import fr from './fr.json';
import chatEn from './chat.en.json';
import chatFr from './chat.fr.json';
import scheduleEn from './schedule.en.json';
import scheduleFr from './schedule.fr.json';
import securityEn from './security.en.json';
import securityFr from './security.fr.json';
import shortcutsEn from './shortcuts.en.json';
import shortcutsFr from './shortcuts.fr.json';
import stageEn from './stage.en.json';
import stageFr from './stage.fr.json';
import powersEn from './powers.en.json';
import powersFr from './powers.fr.json';

/**
 * The interface's strings, one file per feature in each language; each file owns its own top-level keys
 * (`en.json`/`fr.json` hold the shared ones). A feature adds its pair of files to both lists.
 */
const EN: object[] = [en, chatEn, scheduleEn, securityEn, shortcutsEn, stageEn, powersEn];
const FR: object[] = [fr, chatFr, scheduleFr, securityFr, shortcutsFr, stageFr, powersFr];

export const RESOURCES = {
  en: { translation: Object.assign({}, ...EN) as Record<string, unknown> },
  fr: { translation: Object.assign({}, ...FR) as Record<string, unknown> },
};
