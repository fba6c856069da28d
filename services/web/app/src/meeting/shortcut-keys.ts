/** What a keyboard shortcut does in the meeting. */
export type ShortcutAction =
  'microphone' | 'camera' | 'hand' | 'chat' | 'participants' | 'security' | 'toolbar' | 'help';

/**
 * The keys of each action, as the help dialog lists them (letters match either case). E (encryption) opens the
 * security panel; S is left for screen sharing.
 */
export const SHORTCUTS: readonly { action: ShortcutAction; keys: readonly string[] }[] = [
  { action: 'microphone', keys: ['M'] },
  { action: 'camera', keys: ['V'] },
  { action: 'hand', keys: ['H'] },
  { action: 'chat', keys: ['C'] },
  { action: 'participants', keys: ['P'] },
  { action: 'security', keys: ['E'] },
  { action: 'toolbar', keys: ['F6', 'Alt+T'] },
  { action: 'help', keys: ['?'] },
];

const LETTERS: Record<string, ShortcutAction> = {
  m: 'microphone',
  v: 'camera',
  h: 'hand',
  c: 'chat',
  p: 'participants',
  e: 'security',
};

export interface KeyPress {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  /** The key went to a text field (input, textarea, select, contenteditable): it is the person's typing. */
  editable: boolean;
  /** The key went to an open dialog, which owns its keys. */
  inDialog: boolean;
}

/**
 * The action a key press asks for, or undefined. Keys typed into a text field or a dialog are never taken,
 * nor are browser and system shortcuts (Ctrl/Cmd); F6 (the usual "next region" key) works from anywhere.
 */
export function shortcutOf(press: KeyPress): ShortcutAction | undefined {
  if (press.ctrlKey || press.metaKey || press.inDialog) return undefined;
  if (press.key === 'F6') return 'toolbar';
  if (press.editable) return undefined;
  if (press.altKey) return press.key.toLowerCase() === 't' || press.key === '†' ? 'toolbar' : undefined;
  if (press.key === '?') return 'help';
  return LETTERS[press.key.toLowerCase()];
}
