import type { PointTiming } from './measure-point';

/** Everything that differs between `--quick` and the full run. */
export interface RunProfile {
  mode: 'quick' | 'full';
  timing: PointTiming;
  /** The whole run stops starting new measurements after this many seconds. */
  budgetSeconds: number;
  /** The fixed offered load the per-core efficiency and η are measured at. */
  fixedLoad: { publishers: number; subscribers: number; repetitions: number };
  roomCost: {
    participants: number[];
    /** Rooms whose full-rate output exceeds this are replayed slower (see README, "room cost"). */
    maxForwardedPacketsPerSecond: number;
    /** Points losing more than this are measured but left out of the fit: the target was saturated. */
    maxLossForFit: number;
  };
  knee: {
    publishers: number;
    lossThreshold: number;
    startConsumers: number;
    maxConsumers: number;
    maxSteps: number;
    refinements: number;
    minGrowth: number;
    maxGrowth: number;
  };
}

const KNEE_DEFAULTS = {
  publishers: 8,
  lossThreshold: 0.001,
  startConsumers: 400,
  minGrowth: 1.15,
  maxGrowth: 3,
};

/** Under two minutes on two cores: short windows, few points. */
export const QUICK_PROFILE: RunProfile = {
  mode: 'quick',
  timing: { warmupMs: 500, measureMs: 1500, tailMs: 200, drainMs: 150 },
  budgetSeconds: 100,
  fixedLoad: { publishers: 8, subscribers: 25, repetitions: 1 },
  roomCost: { participants: [2, 5, 10, 25, 50], maxForwardedPacketsPerSecond: 25_000, maxLossForFit: 0.01 },
  knee: { ...KNEE_DEFAULTS, maxConsumers: 6000, maxSteps: 5, refinements: 1 },
};

/** About five minutes per target. */
export const FULL_PROFILE: RunProfile = {
  mode: 'full',
  timing: { warmupMs: 1500, measureMs: 8000, tailMs: 300, drainMs: 300 },
  budgetSeconds: 25 * 60,
  fixedLoad: { publishers: 8, subscribers: 25, repetitions: 3 },
  roomCost: {
    participants: [2, 3, 4, 6, 8, 10, 13, 16, 20, 25, 30, 35, 40, 45, 50],
    maxForwardedPacketsPerSecond: 25_000,
    maxLossForFit: 0.01,
  },
  knee: { ...KNEE_DEFAULTS, maxConsumers: 10_000, maxSteps: 10, refinements: 3 },
};
