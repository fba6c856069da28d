import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SFrameError } from './errors';
import { DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW, ReplayWindow } from './replay';

describe('ReplayWindow', () => {
  it('accepts any first counter, then refuses it as a duplicate', () => {
    const w = new ReplayWindow();
    assert.equal(w.size, DEFAULT_REPLAY_WINDOW);
    assert.equal(w.highest, undefined);
    assert.equal(w.accept(1000n), true);
    assert.equal(w.highest, 1000n);
    assert.equal(w.check(1000n), 'duplicate');
    assert.equal(w.accept(1000n), false);
  });

  it('accepts late counters inside the window once each, and refuses those below it as too old', () => {
    const w = new ReplayWindow(128);
    assert.ok(w.accept(200n));
    assert.equal(w.check(73n), 'fresh'); // 200 - 127: the oldest counter still inside
    assert.equal(w.check(72n), 'too_old');
    assert.ok(w.accept(150n));
    assert.ok(w.accept(73n));
    assert.equal(w.accept(150n), false);
    assert.equal(w.accept(73n), false);
    assert.equal(w.highest, 200n);
  });

  it('check() records nothing', () => {
    const w = new ReplayWindow(16);
    assert.equal(w.check(5n), 'fresh');
    assert.equal(w.check(5n), 'fresh');
    assert.equal(w.highest, undefined);
  });

  it('forgets marks that slide out, so their slots serve newer counters', () => {
    const w = new ReplayWindow(100); // not a multiple of 32: the ring wraps inside a word
    for (let c = 0n; c < 100n; c++) assert.ok(w.accept(c));
    assert.ok(w.accept(150n)); // slides by 51: 0..50 fall out, 51..99 stay marked
    assert.equal(w.check(50n), 'too_old');
    assert.equal(w.check(51n), 'duplicate');
    assert.equal(w.check(99n), 'duplicate');
    for (let c = 100n; c < 150n; c++) assert.equal(w.check(c), 'fresh', `ctr ${c}`);
    assert.ok(w.accept(120n));
    assert.equal(w.check(120n), 'duplicate');
  });

  it('clears everything on a jump larger than the window', () => {
    const w = new ReplayWindow(64);
    for (let c = 0n; c < 64n; c++) w.accept(c);
    assert.ok(w.accept(1000n));
    for (let c = 937n; c < 1000n; c++) assert.equal(w.check(c), 'fresh', `ctr ${c}`);
    assert.equal(w.check(936n), 'too_old');
  });

  it('works at the top of the 64-bit counter space', () => {
    const w = new ReplayWindow(8);
    const top = (1n << 64n) - 1n;
    assert.ok(w.accept(top - 3n));
    assert.ok(w.accept(top));
    assert.equal(w.check(top - 3n), 'duplicate');
    assert.equal(w.check(top - 2n), 'fresh');
    assert.equal(w.check(top - 8n), 'too_old');
  });

  it('with size 1 accepts only counters above the highest', () => {
    const w = new ReplayWindow(1);
    assert.ok(w.accept(5n));
    assert.equal(w.check(4n), 'too_old');
    assert.equal(w.check(5n), 'duplicate');
    assert.ok(w.accept(6n));
  });

  it('rejects sizes outside 1..65536 with invalid_argument', () => {
    for (const size of [0, -1, 1.5, MAX_REPLAY_WINDOW + 1, NaN]) {
      assert.throws(
        () => new ReplayWindow(size),
        (err: unknown) => err instanceof SFrameError && err.code === 'invalid_argument',
      );
    }
    assert.equal(new ReplayWindow(MAX_REPLAY_WINDOW).size, MAX_REPLAY_WINDOW);
  });
});
