import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextVerifiedMark, UNVERIFIED, type VerifiedMark, type VerifiedMarkEvent } from './verified-mark';

function run(...events: VerifiedMarkEvent[]): VerifiedMark {
  return events.reduce(nextVerifiedMark, UNVERIFIED);
}

const members = (...keys: string[]): VerifiedMarkEvent => ({ type: 'members', members: keys });
const mark = (verified: boolean): VerifiedMarkEvent => ({ type: 'mark', verified });

describe('verified mark', () => {
  it('marking before the group has keys changes nothing', () => {
    assert.deepEqual(run(mark(true)), UNVERIFIED);
  });

  it('marking once the members are known sets the mark', () => {
    const state = run(members('a', 'b'), mark(true));
    assert.equal(state.verified, true);
    assert.equal(state.reset, false);
  });

  it('a key rotation with the same members keeps the mark', () => {
    const state = run(members('a', 'b'), mark(true), members('b', 'a'));
    assert.equal(state.verified, true);
    assert.equal(state.reset, false);
  });

  it('a departure keeps the mark', () => {
    const state = run(members('a', 'b', 'c'), mark(true), members('a', 'b'));
    assert.equal(state.verified, true);
  });

  it('a new member takes the mark away and says it was reset', () => {
    const state = run(members('a', 'b'), mark(true), members('a', 'b', 'c'));
    assert.deepEqual(state, { verified: false, members: ['a', 'b', 'c'], reset: true });
  });

  it('a member rejoining with a new leaf key counts as new', () => {
    const state = run(members('a', 'b'), mark(true), members('a', 'b2'));
    assert.equal(state.verified, false);
    assert.equal(state.reset, true);
  });

  it('a new member when nothing was marked is no reset', () => {
    const state = run(members('a'), members('a', 'b'));
    assert.deepEqual(state, { verified: false, members: ['a', 'b'], reset: false });
  });

  it('the reset notice stays through later epochs until the person marks again, then goes', () => {
    const reset = run(members('a'), mark(true), members('a', 'b'), members('a', 'b'));
    assert.equal(reset.reset, true);
    const again = nextVerifiedMark(reset, mark(true));
    assert.deepEqual(again, { verified: true, members: ['a', 'b'], reset: false });
  });

  it('unmarking clears the mark without a reset notice', () => {
    const state = run(members('a'), mark(true), mark(false));
    assert.deepEqual(state, { verified: false, members: ['a'], reset: false });
  });

  it('losing our place in the group (reconnecting) takes the mark away and says so', () => {
    const state = run(members('a', 'b'), mark(true), { type: 'left-group' });
    assert.deepEqual(state, { verified: false, members: undefined, reset: true });
    assert.equal(nextVerifiedMark(state, mark(true)).verified, false, 'nothing to verify until new keys');
  });
});
