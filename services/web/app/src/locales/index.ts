import en from './en.json';
import fr from './fr.json';
import accountEn from './account.en.json';
import accountFr from './account.fr.json';
import chatEn from './chat.en.json';
import chatFr from './chat.fr.json';
import directoryEn from './directory.en.json';
import directoryFr from './directory.fr.json';
import powersEn from './powers.en.json';
import powersFr from './powers.fr.json';
import scheduleEn from './schedule.en.json';
import scheduleFr from './schedule.fr.json';
import securityEn from './security.en.json';
import securityFr from './security.fr.json';
import shortcutsEn from './shortcuts.en.json';
import shortcutsFr from './shortcuts.fr.json';
import stageEn from './stage.en.json';
import stageFr from './stage.fr.json';
import waitingRoomEn from './waiting-room.en.json';
import waitingRoomFr from './waiting-room.fr.json';

/**
 * The interface's strings, one file per feature in each language; each file owns its own top-level keys
 * (`en.json`/`fr.json` hold the shared ones). A feature adds its pair of files to both lists.
 */
const EN: object[] = [
  en,
  accountEn,
  chatEn,
  directoryEn,
  powersEn,
  scheduleEn,
  securityEn,
  shortcutsEn,
  stageEn,
  waitingRoomEn,
];
const FR: object[] = [
  fr,
  accountFr,
  chatFr,
  directoryFr,
  powersFr,
  scheduleFr,
  securityFr,
  shortcutsFr,
  stageFr,
  waitingRoomFr,
];

export const RESOURCES = {
  en: { translation: Object.assign({}, ...EN) as Record<string, unknown> },
  fr: { translation: Object.assign({}, ...FR) as Record<string, unknown> },
};
