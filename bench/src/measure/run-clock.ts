import { performance } from 'node:perf_hooks';

/** The run's time budget: measurements that would not fit are not started. */
export class RunClock {
  private readonly deadline: number;

  constructor(budgetSeconds: number) {
    this.deadline = performance.now() + budgetSeconds * 1000;
  }

  /** True when a measurement expected to take `ms` still fits. */
  fits(ms: number): boolean {
    return performance.now() + ms <= this.deadline;
  }
}

/** Rough duration of one point: traffic time plus set-up, which grows with the consumers to create. */
export function estimatePointMs(trafficMs: number, consumers: number): number {
  return trafficMs + 1000 + consumers * 1;
}
