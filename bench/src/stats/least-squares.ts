/** Result of an ordinary least-squares fit. */
export interface LeastSquaresFit {
  coefficients: number[];
  /** Coefficient of determination; 1 when the model explains every observation. */
  r2: number;
}

/**
 * Ordinary least squares: the coefficients β minimizing ‖Xβ − y‖², through the normal equations XᵀXβ = Xᵀy
 * solved by Gaussian elimination with partial pivoting. Throws when the design matrix is rank-deficient.
 */
export function fitLeastSquares(
  design: readonly (readonly number[])[],
  observed: readonly number[],
): LeastSquaresFit {
  const rows = design.length;
  const cols = design[0]?.length ?? 0;
  if (rows !== observed.length) throw new Error('design and observations differ in length');
  if (cols === 0 || rows < cols) throw new Error(`need at least ${cols} observations, got ${rows}`);
  const augmented = Array.from({ length: cols }, (_, i) => {
    const row = Array.from({ length: cols }, (_, j) => design.reduce((acc, x) => acc + x[i] * x[j], 0));
    row.push(design.reduce((acc, x, k) => acc + x[i] * observed[k], 0));
    return row;
  });
  const scale = Math.max(...augmented.map((row) => Math.max(...row.slice(0, cols).map(Math.abs))));
  for (let col = 0; col < cols; col++) {
    let pivot = col;
    for (let r = col + 1; r < cols; r++)
      if (Math.abs(augmented[r][col]) > Math.abs(augmented[pivot][col])) pivot = r;
    if (Math.abs(augmented[pivot][col]) <= scale * 1e-12) throw new Error('design matrix is rank-deficient');
    [augmented[col], augmented[pivot]] = [augmented[pivot], augmented[col]];
    for (let r = 0; r < cols; r++) {
      if (r === col) continue;
      const factor = augmented[r][col] / augmented[col][col];
      for (let c = col; c <= cols; c++) augmented[r][c] -= factor * augmented[col][c];
    }
  }
  const coefficients = augmented.map((row, i) => row[cols] / row[i]);
  const mean = observed.reduce((a, b) => a + b, 0) / rows;
  const predicted = design.map((x) => x.reduce((acc, v, j) => acc + v * coefficients[j], 0));
  const residual = observed.reduce((acc, y, k) => acc + (y - predicted[k]) ** 2, 0);
  const total = observed.reduce((acc, y) => acc + (y - mean) ** 2, 0);
  return { coefficients, r2: total === 0 ? (residual === 0 ? 1 : 0) : 1 - residual / total };
}

/** Cost of a room of N participants: a + b·N + c·N(N−1). */
export interface RoomCostModel {
  /** Fixed cost of a room. */
  a: number;
  /** Cost per participant (its transports and producers). */
  b: number;
  /** Cost per consumer pair (one participant receiving another's audio and video). */
  c: number;
  r2: number;
}

/** Fits a + b·N + c·N(N−1) to measured (N, cost) points. */
export function fitRoomCost(points: readonly { participants: number; cost: number }[]): RoomCostModel {
  const fit = fitLeastSquares(
    points.map(({ participants: n }) => [1, n, n * (n - 1)]),
    points.map((p) => p.cost),
  );
  const [a, b, c] = fit.coefficients;
  return { a, b, c, r2: fit.r2 };
}

/** Evaluates a fitted room-cost model at N participants. */
export function roomCostAt(model: RoomCostModel, participants: number): number {
  return model.a + model.b * participants + model.c * participants * (participants - 1);
}

/** Slope and intercept of y against x (used for RSS against consumers). */
export function fitLine(points: readonly { x: number; y: number }[]): {
  intercept: number;
  slope: number;
  r2: number;
} {
  const fit = fitLeastSquares(
    points.map((p) => [1, p.x]),
    points.map((p) => p.y),
  );
  return { intercept: fit.coefficients[0], slope: fit.coefficients[1], r2: fit.r2 };
}
