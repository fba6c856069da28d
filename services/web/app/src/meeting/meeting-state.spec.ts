import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encryptionStatus } from './encryption-status';
import { problemOf } from './local-media';

describe('encryptionStatus', () => {
  it('says encrypted when the group has keys and every other participant decrypts', () => {
    const states = new Map([
      ['p1', 'encrypted'],
      ['p2', 'encrypted'],
    ] as const);
    assert.equal(encryptionStatus(true, states, ['p1', 'p2']), 'encrypted');
  });

  it('says waiting without keys, or while one participant has no state or waits for a key', () => {
    const states = new Map([['p1', 'encrypted']] as const);
    assert.equal(encryptionStatus(false, states, ['p1']), 'waiting');
    assert.equal(encryptionStatus(true, states, ['p1', 'p2']), 'waiting');
    assert.equal(encryptionStatus(true, new Map([['p1', 'waiting-for-key']] as const), ['p1']), 'waiting');
  });

  it('says failed as soon as one participant cannot decrypt, even before the group has keys', () => {
    const states = new Map([
      ['p1', 'encrypted'],
      ['p2', 'failed'],
    ] as const);
    assert.equal(encryptionStatus(true, states, ['p1', 'p2']), 'failed');
    assert.equal(encryptionStatus(false, states, ['p2']), 'failed');
  });

  it('counts group members who send no media as encrypted once the group has keys, others as waiting', () => {
    const members = new Set(['p1']);
    assert.equal(encryptionStatus(true, new Map(), ['p1'], members), 'encrypted');
    assert.equal(encryptionStatus(false, new Map(), ['p1'], members), 'waiting');
    assert.equal(encryptionStatus(true, new Map(), ['p1', 'stranger'], members), 'waiting');
    assert.equal(encryptionStatus(true, new Map([['p1', 'failed']] as const), ['p1'], members), 'failed');
  });

  it('ignores states of people no longer in the meeting', () => {
    assert.equal(encryptionStatus(true, new Map([['gone', 'failed']] as const), []), 'encrypted');
  });
});

describe('problemOf', () => {
  it('maps the browser refusals to what the person should read', () => {
    assert.equal(problemOf(new DOMException('x', 'NotAllowedError')), 'denied');
    assert.equal(problemOf(new DOMException('x', 'SecurityError')), 'denied');
    assert.equal(problemOf(new DOMException('x', 'NotFoundError')), 'missing');
    assert.equal(problemOf(new DOMException('x', 'OverconstrainedError')), 'missing');
    assert.equal(problemOf(new DOMException('x', 'NotReadableError')), 'busy');
    assert.equal(problemOf(new Error('anything else')), 'failed');
  });
});
