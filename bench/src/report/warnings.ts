import type { PointResult } from '../measure/measure-point';
import type { TargetRun } from '../measure/run-bench';

/** Above this share of the window spent waiting for its core, a point's figures are suspect. */
export const INTERFERENCE_WARN_CORES = 0.05;

/** Conditions a reader should know before trusting the figures: noise, generator limits, loss at the fixed load. */
export function collectWarnings(runs: readonly TargetRun[], lossThreshold: number): string[] {
  const warnings: string[] = [];
  for (const run of runs) {
    if (run.status !== 'ok') continue;
    const points: PointResult[] = [
      ...(run.fixedLoad?.repetitions ?? []),
      ...(run.roomCost?.points.map((p) => p.point) ?? []),
      ...(run.knee?.steps ?? []),
    ];
    if (run.fixedLoad && run.fixedLoad.loss > lossThreshold) {
      warnings.push(
        `${run.name}: the fixed load lost ${(run.fixedLoad.loss * 100).toFixed(3)} %; its efficiency is measured in overload`,
      );
    }
    const held = points.flatMap((p) => {
      const lost = p.interference ? p.interference.targetWaitCores + p.interference.targetCoreStealCores : 0;
      return lost > INTERFERENCE_WARN_CORES ? [lost] : [];
    });
    if (held.length) {
      const worst = Math.max(...held).toFixed(2);
      warnings.push(
        `${run.name}: the target waited for its core (run queue or hypervisor steal) up to ${worst} of the time in ${held.length}/${points.length} points`,
      );
    }
    const wrapped = new Set(
      points.flatMap((p) => p.target.executables.filter((exe) => /valgrind|memcheck/.test(exe))),
    );
    if (wrapped.size) {
      warnings.push(
        `${run.name}: the target ran under ${[...wrapped].join(', ')}; its figures are not representative`,
      );
    }
    const late = points.filter((p) => p.sentInWindow > 0 && p.sender.lateOver1ms > 0.01 * p.sentInWindow);
    if (late.length)
      warnings.push(`${run.name}: the sender ran late (over 1 % of packets > 1 ms) in ${late.length} points`);
    if (run.knee?.limitedBy === 'generator')
      warnings.push(`${run.name}: the knee ramp was limited by the load generator`);
    warnings.push(...run.errors.map((e) => `${run.name}: ${e}`));
  }
  return warnings;
}
