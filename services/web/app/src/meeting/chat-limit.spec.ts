import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHAT_MAX_CHARACTERS, chatRefusalOf, checkChatMessage } from './chat-limit';

describe('chat limit', () => {
  it('checkChatMessage accepts a message of exactly the limit', () => {
    assert.equal(checkChatMessage('a'.repeat(CHAT_MAX_CHARACTERS)), undefined);
  });

  it('checkChatMessage refuses one character more as too long', () => {
    assert.equal(checkChatMessage('a'.repeat(CHAT_MAX_CHARACTERS + 1)), 'too-long');
  });

  it('checkChatMessage counts characters, not UTF-16 units: the limit in emoji fits the SFU budget', () => {
    const emoji = '🔒'.repeat(CHAT_MAX_CHARACTERS);
    assert.equal(checkChatMessage(emoji), undefined);
    assert.ok(new TextEncoder().encode(emoji).length <= 12_000, 'at most 12 000 bytes of UTF-8');
  });

  it("chatRefusalOf maps the SFU's codes and the not-yet-keyed error to their messages", () => {
    assert.equal(chatRefusalOf(Object.assign(new Error('x'), { code: 'message_too_large' })), 'too-long');
    assert.equal(chatRefusalOf(Object.assign(new Error('x'), { code: 'rate_limited' })), 'rate-limited');
    assert.equal(chatRefusalOf(Object.assign(new Error('x'), { code: 'right_missing' })), 'not-allowed');
    assert.equal(chatRefusalOf(new Error('not in the encrypted group yet')), 'not-ready');
    assert.equal(chatRefusalOf(new Error('socket closed')), 'not-sent');
  });
});
