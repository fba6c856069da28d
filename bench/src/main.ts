import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseCliOptions, USAGE } from './cli-options';
import type { MeasureContext } from './measure/measure-point';
import { runBench } from './measure/run-bench';
import { RunClock } from './measure/run-clock';
import { FULL_PROFILE, QUICK_PROFILE } from './measure/run-profile';
import { buildNativeTools } from './native/build-native';
import { placeProcess } from './proc/placement';
import { leadsOwnSession, rerunInOwnSession, setAutogroupNice } from './proc/session';
import { renderForwardingPlot } from './report/forwarding-plot';
import { buildReport, reportBaseName, writeReport } from './report/forwarding-report';
import { readMachineInfo } from './report/machine-info';
import { targetFactories } from './targets/registry';
import { TARGET_NOTES } from './targets/target-notes';
import { buildRecordedTrace, traceRates } from './traffic/recorded-trace';
import { encodeTraceFile } from './traffic/trace-file';

const log = (line: string) => console.error(`[bench] ${line}`);
const HIGH_PRIORITY_NICE = -20;

async function main(argv: readonly string[]): Promise<number> {
  const options = parseCliOptions(argv, resolve(__dirname, '..', 'results'));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.priority && !leadsOwnSession()) return rerunInOwnSession();
  if (options.priority && !setAutogroupNice(HIGH_PRIORITY_NICE))
    log('could not raise the scheduler autogroup priority');
  const startedAt = new Date();
  const profile = options.quick ? QUICK_PROFILE : FULL_PROFILE;
  const cores = os.cpus().length;
  const cpus = { target: String(cores - 1), generator: cores > 2 ? `0-${cores - 2}` : '0' };
  if (options.pin || options.priority) {
    placeProcess(process.pid, {
      cpus: options.pin ? cpus.generator : `0-${cores - 1}`,
      priority: options.priority ? 'high' : 'normal',
    });
  }
  const native = buildNativeTools();
  const machine = readMachineInfo(native.compiler);
  const trace = buildRecordedTrace();
  const rates = traceRates(trace);
  const workDir = mkdtempSync(join(os.tmpdir(), 'conclave-bench-'));
  try {
    const traceFile = join(workDir, 'trace.cvt');
    writeFileSync(traceFile, encodeTraceFile(trace));
    const context: MeasureContext = {
      native,
      traceFile,
      timing: profile.timing,
      cpus,
      pin: options.pin,
      raisePriority: options.priority,
    };
    log(`${profile.mode} run on ${machine.cpuModel} (${cores} cores), targets ${options.targets.join(', ')}`);
    const factories = targetFactories(native);
    const runs = await runBench(
      options.targets.map((name) => ({ name, factory: factories[name] })),
      profile,
      context,
      new RunClock(profile.budgetSeconds),
      rates.packetsPerSecond,
      log,
    );
    const report = buildReport({
      startedAt,
      finishedAt: new Date(),
      profile,
      context,
      trace,
      rates,
      machine,
      runs,
      targetNotes: TARGET_NOTES,
    });
    const baseName = reportBaseName(startedAt, profile.mode);
    const svg = renderForwardingPlot(`Forwarding ${baseName.replace(/-forwarding$/, '')}`, runs, report);
    const paths = writeReport(options.outDir, baseName, report, svg);
    log(`wrote ${paths.json} and ${paths.svg} in ${report.duration_seconds} s`);
    for (const warning of report.warnings) log(`warning: ${warning}`);
    console.log(
      JSON.stringify(
        {
          eta_vs_c_forwarder: report.eta_vs_c_forwarder,
          ratio_vs_bare_mediasoup: report.ratio_vs_bare_mediasoup,
          consumers_per_core_at_0_1pct_loss: report.consumers_per_core_at_0_1pct_loss,
          baseline_eta_bare_mediasoup_vs_c_forwarder: report.baseline_eta_bare_mediasoup_vs_c_forwarder,
          baseline_consumers_per_core_at_0_1pct_loss: report.baseline_consumers_per_core_at_0_1pct_loss,
          baseline_consumers_per_core_at_least: report.baseline_consumers_per_core_at_least,
        },
        null,
        2,
      ),
    );
    return runs.some((r) => r.status === 'ok' && r.errors.length > 0) ? 1 : 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
