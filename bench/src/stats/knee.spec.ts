import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findKnee, nextRampStep, type RampPlan } from './knee';

const THRESHOLD = 0.001;

describe('findKnee()', () => {
  it('interpolates between the last step under the threshold and the first over it', () => {
    const knee = findKnee(
      [
        { consumers: 800, loss: 0.003 },
        { consumers: 400, loss: 0 },
        { consumers: 600, loss: 0.0005 },
      ],
      THRESHOLD,
    );
    assert.equal(knee.kind, 'found');
    assert.ok(knee.kind === 'found' && Math.abs(knee.consumers - 640) < 1e-9);
  });

  it('keeps the first crossing when a larger step dips back under the threshold', () => {
    const knee = findKnee(
      [
        { consumers: 100, loss: 0 },
        { consumers: 200, loss: 0.002 },
        { consumers: 300, loss: 0.0001 },
      ],
      THRESHOLD,
    );
    assert.ok(knee.kind === 'found' && knee.above.consumers === 200);
  });

  it('reports a lower bound when no step passes the threshold', () => {
    assert.deepEqual(
      findKnee(
        [
          { consumers: 100, loss: 0.001 },
          { consumers: 50, loss: 0 },
        ],
        THRESHOLD,
      ),
      {
        kind: 'not-reached',
        atLeast: 100,
      },
    );
  });

  it('reports an upper bound when the smallest step already passes it', () => {
    assert.deepEqual(findKnee([{ consumers: 100, loss: 0.01 }], THRESHOLD), {
      kind: 'below-range',
      atMost: 100,
    });
  });
});

describe('nextRampStep()', () => {
  const plan: RampPlan = { start: 100, growth: 2, max: 1000, granularity: 10, refinements: 2 };

  it('starts at the planned start and grows geometrically while loss stays under the threshold', () => {
    assert.equal(nextRampStep([], THRESHOLD, plan), 100);
    assert.equal(nextRampStep([{ consumers: 100, loss: 0 }], THRESHOLD, plan), 200);
  });

  it('caps growth at max and stops once max was measured without passing the threshold', () => {
    assert.equal(nextRampStep([{ consumers: 800, loss: 0 }], THRESHOLD, plan), 1000);
    assert.equal(nextRampStep([{ consumers: 1000, loss: 0 }], THRESHOLD, plan), null);
  });

  it('bisects the bracket for the planned number of refinements, then stops', () => {
    const ramp = [
      { consumers: 100, loss: 0 },
      { consumers: 200, loss: 0 },
      { consumers: 400, loss: 0.02 },
    ];
    assert.equal(nextRampStep(ramp, THRESHOLD, plan), 300);
    ramp.push({ consumers: 300, loss: 0 });
    assert.equal(nextRampStep(ramp, THRESHOLD, plan), 350);
    ramp.push({ consumers: 350, loss: 0.01 });
    assert.equal(nextRampStep(ramp, THRESHOLD, plan), null);
  });

  it('steps down when the first step is already over the threshold', () => {
    assert.equal(nextRampStep([{ consumers: 100, loss: 0.5 }], THRESHOLD, plan), 50);
    assert.equal(nextRampStep([{ consumers: 10, loss: 0.5 }], THRESHOLD, plan), null);
  });
});
