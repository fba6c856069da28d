import { useEffect, useRef } from 'react';
import { shortcutOf, type ShortcutAction } from './shortcut-keys';

/** Where each action goes; an action without a handler (e.g. no hand control yet) does nothing. */
export type ShortcutHandlers = Partial<Record<ShortcutAction, () => void>>;

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Listens for the meeting's keyboard shortcuts on the whole page while the meeting screen is shown. */
export function useShortcuts(handlers: ShortcutHandlers): void {
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat) return;
      const target = event.target instanceof Element ? event.target : null;
      const action = shortcutOf({
        key: event.key,
        altKey: event.altKey,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        editable: isEditable(event.target),
        inDialog: target?.closest('[role="dialog"], [role="alertdialog"]') != null,
      });
      const handler = action !== undefined ? current.current[action] : undefined;
      if (handler === undefined) return;
      event.preventDefault();
      handler();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
