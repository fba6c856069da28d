import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeasureContext } from '../measure/measure-point';
import type { TargetRun } from '../measure/run-bench';
import type { RunProfile } from '../measure/run-profile';
import type { RecordedTrace, TraceRates } from '../traffic/recorded-trace';
import { headlineFigures, PRODUCT_TARGETS, type HeadlineFigures } from './headline';
import type { MachineInfo } from './machine-info';
import { collectWarnings } from './warnings';

/** The results file. Top-level keys are snake_case for jq; per-target details keep the harness's field names. */
export type ForwardingReport = HeadlineFigures & {
  product_targets: typeof PRODUCT_TARGETS;
  date: string;
  mode: RunProfile['mode'];
  started_at: string;
  duration_seconds: number;
  warnings: string[];
  machine: MachineInfo;
  parameters: Record<string, unknown>;
  targets: Record<string, Omit<TargetRun, 'name'>>;
};

/** What a finished run hands to the report. */
export interface RunRecord {
  startedAt: Date;
  finishedAt: Date;
  profile: RunProfile;
  context: MeasureContext;
  trace: RecordedTrace;
  rates: TraceRates;
  machine: MachineInfo;
  runs: TargetRun[];
  targetNotes: Record<string, unknown>;
}

/** Assembles the report of a run. */
export function buildReport(record: RunRecord): ForwardingReport {
  const { profile, context } = record;
  return {
    ...headlineFigures(record.runs),
    product_targets: PRODUCT_TARGETS,
    date: reportDate(record.startedAt),
    mode: profile.mode,
    started_at: record.startedAt.toISOString(),
    duration_seconds: Math.round((record.finishedAt.getTime() - record.startedAt.getTime()) / 1000),
    warnings: collectWarnings(record.runs, profile.knee.lossThreshold),
    machine: record.machine,
    parameters: {
      timing: profile.timing,
      budgetSeconds: profile.budgetSeconds,
      fixedLoad: profile.fixedLoad,
      roomCost: profile.roomCost,
      knee: profile.knee,
      traffic: { profile: record.trace.profile, perPublisher: record.rates },
      cpus: { ...context.cpus, pinned: context.pin, raisedPriority: context.raisePriority },
      cpuAccounting:
        'target CPU = scheduler run time of its processes (/proc/<pid>/task/*/schedstat, ns); utime+stime from /proc/<pid>/stat kept as target.cpuSecondsFromStat',
      targets: record.targetNotes,
    },
    targets: Object.fromEntries(record.runs.map(({ name, ...rest }) => [name, rest])),
  };
}

/** UTC date of the run, YYYY-MM-DD. */
export function reportDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Base name of a run's files: `<date>-forwarding`, or `<date>-quick-forwarding` for quick runs. */
export function reportBaseName(at: Date, mode: RunProfile['mode']): string {
  return `${reportDate(at)}${mode === 'quick' ? '-quick' : ''}-forwarding`;
}

/** Writes the JSON and SVG atomically (temporary file, then rename) and returns their paths. */
export function writeReport(
  dir: string,
  baseName: string,
  report: ForwardingReport,
  svg: string,
): { json: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { json: join(dir, `${baseName}.json`), svg: join(dir, `${baseName}.svg`) };
  const write = (path: string, content: string) => {
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
  };
  write(paths.json, JSON.stringify(report, null, 2) + '\n');
  write(paths.svg, svg);
  return paths;
}
