import { useTranslation } from 'react-i18next';
import { createStore, useStore } from '../store';

/** What a screen reader was last asked to say, newest last (a few, so quick ones are not overwritten). */
const KEPT = 5;
const announcements = createStore<readonly { id: number; text: string }[]>([]);
let nextId = 0;

/**
 * Says `text` through the meeting's one polite live region (joins, leaves, chat, hands, lobby arrivals…).
 * Any feature may call it; nothing is shown on screen.
 */
export function announce(text: string): void {
  announcements.set((list) => [...list, { id: nextId++, text }].slice(-KEPT));
}

/** Forgets every announcement (on leaving the meeting: nothing said in it stays in the page). */
export function clearAnnouncements(): void {
  announcements.set([]);
}

/** The polite live region itself, rendered once by the meeting screen. */
export function Announcer() {
  const { t } = useTranslation();
  const list = useStore(announcements);
  return (
    <div role="log" aria-live="polite" aria-label={t('announce.region')} className="visually-hidden">
      {list.map((item) => (
        <p key={item.id}>{item.text}</p>
      ))}
    </div>
  );
}
