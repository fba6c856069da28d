import en from './en.json';
import fr from './fr.json';
import waitingRoomEn from './waiting-room.en.json';
import waitingRoomFr from './waiting-room.fr.json';

/**
 * The interface's strings, one file per feature in each language; each file owns its own top-level keys
 * (`en.json`/`fr.json` hold the shared ones). A feature adds its pair of files to both lists.
 */
const EN: object[] = [en, waitingRoomEn];
const FR: object[] = [fr, waitingRoomFr];

export const RESOURCES = {
  en: { translation: Object.assign({}, ...EN) as Record<string, unknown> },
  fr: { translation: Object.assign({}, ...FR) as Record<string, unknown> },
};
