import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { leadsOwnSession, parseSessionId } from './session';

describe('parseSessionId()', () => {
  it('reads field 6 even when the command name holds spaces and parentheses', () => {
    assert.equal(parseSessionId('4242 (node (x) y) S 1 4240 4100 0 -1 4194560 1234 0 0 0 250 75'), 4100);
  });
});

describe('leadsOwnSession()', () => {
  it('agrees with the session ID the kernel reports for this process', () => {
    const sid = parseSessionId(readFileSync('/proc/self/stat', 'utf8'));
    assert.equal(leadsOwnSession(), sid === process.pid);
  });
});
