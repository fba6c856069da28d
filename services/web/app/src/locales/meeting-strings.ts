import i18next from 'i18next';
import chatEn from './chat.en.json';
import chatFr from './chat.fr.json';
import powersEn from './powers.en.json';
import powersFr from './powers.fr.json';
import securityEn from './security.en.json';
import securityFr from './security.fr.json';
import shortcutsEn from './shortcuts.en.json';
import shortcutsFr from './shortcuts.fr.json';
import stageEn from './stage.en.json';
import stageFr from './stage.fr.json';
import waitingRoomEn from './waiting-room.en.json';
import waitingRoomFr from './waiting-room.fr.json';

/**
 * The meeting screens' strings (chat, participants and powers, security panel, shortcuts, stage, lobby), one
 * file per feature with its own top-level keys. They are part of the meeting chunk, so the sign-in page does
 * not download them; `addMeetingStrings` hands them to i18next when the meeting screens first render.
 */
const EN: object[] = [chatEn, powersEn, securityEn, shortcutsEn, stageEn, waitingRoomEn];
const FR: object[] = [chatFr, powersFr, securityFr, shortcutsFr, stageFr, waitingRoomFr];

let added = false;

/** Adds the meeting screens' strings in both languages, once, after i18next started. */
export function addMeetingStrings(): void {
  if (added || !i18next.isInitialized) return;
  added = true;
  i18next.addResourceBundle('en', 'translation', Object.assign({}, ...EN), true, false);
  i18next.addResourceBundle('fr', 'translation', Object.assign({}, ...FR), true, false);
}
