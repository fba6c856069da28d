import en from './en.json';
import fr from './fr.json';
import accountEn from './account.en.json';
import accountFr from './account.fr.json';
import directoryEn from './directory.en.json';
import directoryFr from './directory.fr.json';
import scheduleEn from './schedule.en.json';
import scheduleFr from './schedule.fr.json';

/**
 * The interface's strings, one file per feature in each language; each file owns its own top-level keys
 * (`en.json`/`fr.json` hold the shared ones). A feature adds its pair of files to both lists. The meeting
 * screens' strings travel with the meeting chunk instead (`meeting-strings.ts`).
 */
const EN: object[] = [en, accountEn, directoryEn, scheduleEn];
const FR: object[] = [fr, accountFr, directoryFr, scheduleFr];

export const RESOURCES = {
  en: { translation: Object.assign({}, ...EN) as Record<string, unknown> },
  fr: { translation: Object.assign({}, ...FR) as Record<string, unknown> },
};
