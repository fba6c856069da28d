import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TargetRun } from '../measure/run-bench';
import { headlineFigures } from './headline';

function run(
  name: TargetRun['name'],
  efficiency: number | null,
  knee: number | null,
  status: TargetRun['status'] = 'ok',
): TargetRun {
  return {
    name,
    status,
    reason: status === 'missing' ? 'not available yet' : null,
    fixedLoad:
      efficiency === null ? null : ({ forwardedPerCoreSecond: efficiency } as TargetRun['fixedLoad']),
    roomCost: null,
    knee:
      knee === null
        ? null
        : ({ consumersPerCore: knee, consumersPerCoreAtLeast: null } as unknown as TargetRun['knee']),
    errors: [],
  };
}

describe('headlineFigures()', () => {
  it('leaves every Conclave figure null while the conclave target is missing, and still compares the baselines', () => {
    const figures = headlineFigures([
      run('c-forwarder', 200_000, null),
      run('bare-mediasoup', 100_000, 1800),
      run('conclave', null, null, 'missing'),
    ]);
    assert.equal(figures.eta_vs_c_forwarder, null);
    assert.equal(figures.ratio_vs_bare_mediasoup, null);
    assert.equal(figures.consumers_per_core_at_0_1pct_loss, null);
    assert.equal(figures.baseline_eta_bare_mediasoup_vs_c_forwarder, 0.5);
    assert.deepEqual(figures.baseline_consumers_per_core_at_0_1pct_loss, {
      'c-forwarder': null,
      'bare-mediasoup': 1800,
    });
    assert.deepEqual(figures.meets_product_targets, { eta: null, ratio: null, consumers_per_core: null });
  });

  it('divides Conclave by each baseline and checks the product targets', () => {
    const figures = headlineFigures([
      run('c-forwarder', 200_000, null),
      run('bare-mediasoup', 100_000, 1800),
      run('conclave', 96_000, 700),
    ]);
    assert.equal(figures.eta_vs_c_forwarder, 0.48);
    assert.equal(figures.ratio_vs_bare_mediasoup, 0.96);
    assert.equal(figures.consumers_per_core_at_0_1pct_loss, 700);
    assert.deepEqual(figures.meets_product_targets, { eta: false, ratio: true, consumers_per_core: false });
  });

  it('gives null rather than a ratio when a baseline was not measured', () => {
    const figures = headlineFigures([run('bare-mediasoup', 100_000, null), run('conclave', 96_000, null)]);
    assert.equal(figures.eta_vs_c_forwarder, null);
    assert.equal(figures.baseline_eta_bare_mediasoup_vs_c_forwarder, null);
  });
});
