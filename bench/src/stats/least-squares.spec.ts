import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitLeastSquares, fitLine, fitRoomCost, roomCostAt } from './least-squares';

describe('fitRoomCost()', () => {
  it('recovers a, b and c exactly from noise-free room costs', () => {
    const truth = { a: 0.02, b: 0.004, c: 0.0007 };
    const points = [2, 5, 10, 20, 35, 50].map((n) => ({
      participants: n,
      cost: truth.a + truth.b * n + truth.c * n * (n - 1),
    }));
    const model = fitRoomCost(points);
    assert.ok(Math.abs(model.a - truth.a) < 1e-9);
    assert.ok(Math.abs(model.b - truth.b) < 1e-9);
    assert.ok(Math.abs(model.c - truth.c) < 1e-12);
    assert.ok(Math.abs(model.r2 - 1) < 1e-12);
    assert.ok(Math.abs(roomCostAt(model, 50) - points[5].cost) < 1e-9);
  });

  it('throws with fewer points than coefficients', () => {
    assert.throws(
      () =>
        fitRoomCost([
          { participants: 2, cost: 1 },
          { participants: 3, cost: 2 },
        ]),
      /at least 3/,
    );
  });
});

describe('fitLeastSquares()', () => {
  it('returns the minimizing line for noisy points and an r2 below 1', () => {
    const fit = fitLeastSquares(
      [
        [1, 0],
        [1, 1],
        [1, 2],
        [1, 3],
      ],
      [1, 3, 5, 8],
    );
    // Closed form for y = β0 + β1 x: β1 = Sxy / Sxx = 11.5 / 5, β0 = ȳ − β1 x̄.
    assert.ok(Math.abs(fit.coefficients[1] - 2.3) < 1e-12);
    assert.ok(Math.abs(fit.coefficients[0] - (4.25 - 2.3 * 1.5)) < 1e-12);
    assert.ok(fit.r2 > 0.98 && fit.r2 < 1);
  });

  it('throws on a rank-deficient design', () => {
    assert.throws(
      () =>
        fitLeastSquares(
          [
            [1, 2],
            [2, 4],
            [3, 6],
          ],
          [1, 2, 3],
        ),
      /rank-deficient/,
    );
  });
});

describe('fitLine()', () => {
  it('gives bytes per consumer as the slope of RSS against consumers', () => {
    const line = fitLine([100, 200, 400].map((x) => ({ x, y: 50e6 + 12_000 * x })));
    assert.ok(Math.abs(line.slope - 12_000) < 1e-6);
    assert.ok(Math.abs(line.intercept - 50e6) < 1e-3);
  });
});
