import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PointResult } from './measure-point';
import { coresAtKnee, kneeLimitedBy, rampGrowth } from './knee-plan';

function step(overrides: {
  expected?: number;
  received?: number;
  receiverDrops?: number;
  inputDrops?: number;
  cores?: number;
  late?: number;
}): PointResult {
  const point = {
    expectedCopies: overrides.expected ?? 100_000,
    receivedCopies: overrides.received ?? 99_000,
    receiverSocketDrops: overrides.receiverDrops ?? 0,
    targetInputDrops: overrides.inputDrops ?? 0,
    sentInWindow: 2_000,
    sender: { lateOver1ms: overrides.late ?? 0 },
    target: { cores: overrides.cores ?? 0.5 },
  };
  return point as unknown as PointResult;
}

describe('kneeLimitedBy()', () => {
  it('blames the generator when its own sockets dropped most of the lost copies', () => {
    assert.equal(kneeLimitedBy(step({ receiverDrops: 900, cores: 0.99 })), 'generator');
  });

  it('blames the generator when the sender fell behind its schedule and the target had CPU to spare', () => {
    assert.equal(kneeLimitedBy(step({ late: 100 })), 'generator');
    assert.equal(kneeLimitedBy(step({ late: 100, cores: 0.97 })), 'target');
  });

  it('blames the target when its input sockets overflowed or it used a whole core', () => {
    assert.equal(kneeLimitedBy(step({ inputDrops: 40 })), 'target');
    assert.equal(kneeLimitedBy(step({ cores: 0.97 })), 'target');
  });

  it('says unknown without a sign either way', () => {
    assert.equal(kneeLimitedBy(step({})), 'unknown');
  });
});

describe('rampGrowth()', () => {
  it('aims just under one core from the last step', () => {
    assert.ok(Math.abs(rampGrowth(0.4, 1.15, 3) - 0.97 / 0.4) < 1e-12);
  });

  it('stays within the bounds', () => {
    assert.equal(rampGrowth(0.1, 1.15, 3), 3);
    assert.equal(rampGrowth(0.95, 1.15, 3), 1.15);
    assert.equal(rampGrowth(0, 1.15, 3), 3);
  });
});

describe('coresAtKnee()', () => {
  it('interpolates the CPU of the bracketing steps at the knee', () => {
    const cores = new Map([
      [2000, 0.9],
      [2400, 0.94],
    ]);
    const at = coresAtKnee(
      { consumers: 2100, below: { consumers: 2000 }, above: { consumers: 2400 } },
      (n) => cores.get(n) as number,
    );
    assert.ok(Math.abs(at - 0.91) < 1e-12);
  });
});
