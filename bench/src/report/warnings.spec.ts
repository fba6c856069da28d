import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PointResult } from '../measure/measure-point';
import type { TargetRun } from '../measure/run-bench';
import { collectWarnings } from './warnings';

const point = (other: number, late: number, exe = '/cache/mediasoup-worker') =>
  ({
    interference: { targetWaitCores: other, targetCoreOtherCores: 0.9, targetCoreStealCores: 0.01 },
    sentInWindow: 1000,
    sender: { lateOver1ms: late },
    target: { executables: [exe] },
  }) as unknown as PointResult;

const run = (overrides: Partial<TargetRun>): TargetRun => ({
  name: 'bare-mediasoup',
  status: 'ok',
  reason: null,
  fixedLoad: null,
  roomCost: null,
  knee: null,
  errors: [],
  ...overrides,
});

describe('collectWarnings()', () => {
  it('says nothing about a clean run', () => {
    const fixedLoad = { repetitions: [point(0.01, 0)], loss: 0 } as unknown as TargetRun['fixedLoad'];
    assert.deepEqual(collectWarnings([run({ fixedLoad })], 0.001), []);
  });

  it('flags loss at the fixed load, interference, a wrapped worker, a late sender, a generator-bound knee, failures', () => {
    const fixedLoad = {
      repetitions: [point(0.4, 50, '/usr/libexec/valgrind/memcheck-amd64-linux')],
      loss: 0.01,
    } as unknown as TargetRun['fixedLoad'];
    const knee = { steps: [point(0, 0)], limitedBy: 'generator' } as unknown as TargetRun['knee'];
    const warnings = collectWarnings([run({ fixedLoad, knee, errors: ['room cost: boom'] })], 0.001);
    assert.equal(warnings.length, 6);
    assert.match(warnings[0], /fixed load lost 1\.000 %/);
    assert.match(warnings[1], /waited for its core .* up to 0\.41 of the time in 1\/2 points/);
    assert.match(warnings[2], /ran under \/usr\/libexec\/valgrind\/memcheck-amd64-linux/);
    assert.match(warnings[3], /sender ran late/);
    assert.match(warnings[4], /load generator/);
    assert.match(warnings[5], /room cost: boom/);
  });

  it('ignores missing targets', () => {
    assert.deepEqual(collectWarnings([run({ status: 'missing', errors: ['x'] })], 0.001), []);
  });
});
