import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shortcutOf, SHORTCUTS, type KeyPress } from './shortcut-keys';

const press = (key: string, more: Partial<KeyPress> = {}): KeyPress => ({
  key,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  editable: false,
  inDialog: false,
  ...more,
});

describe('keyboard shortcuts', () => {
  it('shortcutOf maps each listed letter, in either case, to its action', () => {
    for (const { action, keys } of SHORTCUTS)
      for (const key of keys.filter((k) => /^[A-Z]$/.test(k))) {
        assert.equal(shortcutOf(press(key)), action);
        assert.equal(shortcutOf(press(key.toLowerCase())), action);
      }
  });

  it('shortcutOf opens the help on ? and reaches the toolbar on F6 and Alt+T', () => {
    assert.equal(shortcutOf(press('?')), 'help');
    assert.equal(shortcutOf(press('F6')), 'toolbar');
    assert.equal(shortcutOf(press('t', { altKey: true })), 'toolbar');
  });

  it('shortcutOf never takes a key typed into a text field, except F6', () => {
    for (const key of ['m', 'M', 'c', '?', 'v'])
      assert.equal(shortcutOf(press(key, { editable: true })), undefined);
    assert.equal(shortcutOf(press('t', { altKey: true, editable: true })), undefined);
    assert.equal(shortcutOf(press('F6', { editable: true })), 'toolbar');
  });

  it('shortcutOf leaves browser shortcuts, dialogs and other keys alone', () => {
    assert.equal(shortcutOf(press('c', { ctrlKey: true })), undefined);
    assert.equal(shortcutOf(press('v', { metaKey: true })), undefined);
    assert.equal(shortcutOf(press('m', { altKey: true })), undefined);
    assert.equal(shortcutOf(press('m', { inDialog: true })), undefined);
    assert.equal(shortcutOf(press('F6', { inDialog: true })), undefined);
    assert.equal(shortcutOf(press('x')), undefined);
    assert.equal(shortcutOf(press('Enter')), undefined);
  });
});
