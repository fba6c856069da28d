import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_FEED_STATE, reduce } from './feed-state';

const entry = (participantId: string, name: string) => ({
  participantId,
  userId: name,
  name,
  since: '2026-12-08T00:00:00.000Z',
});

describe('feed state', () => {
  it('reduce() marks an organiser on the lobby snapshot, adds arrivals once and drops departures', () => {
    let state = reduce(INITIAL_FEED_STATE, { type: 'lobby', waiting: [entry('p1', 'alex')] });
    assert.equal(state.organiser, true);
    state = reduce(state, { type: 'lobby-arrived', entry: entry('p2', 'bea') });
    state = reduce(state, { type: 'lobby-arrived', entry: entry('p2', 'bea') });
    assert.deepEqual(
      state.waiting.map((e) => e.name),
      ['alex', 'bea'],
    );
    state = reduce(state, { type: 'lobby-departed', participantId: 'p1', outcome: 'withdrew' });
    assert.deepEqual(
      state.waiting.map((e) => e.name),
      ['bea'],
    );
  });

  it('reduce() keeps the longest wait from the first state when a later state omits it, and records the reason', () => {
    let state = reduce(INITIAL_FEED_STATE, { type: 'state', state: 'waiting', giveUpAfterSeconds: 900 });
    state = reduce(state, { type: 'state', state: 'left', reason: 'gave-up' });
    assert.deepEqual([state.state, state.reason, state.giveUpAfterSeconds], ['left', 'gave-up', 900]);
    assert.equal(state.organiser, false);
  });
});
