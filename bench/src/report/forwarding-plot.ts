import type { TargetRun } from '../measure/run-bench';
import { roomCostAt } from '../stats/least-squares';
import type { HeadlineFigures } from './headline';
import { renderDocument, type Axis, type Series } from './svg-chart';

const COLORS: Record<TargetRun['name'], string> = {
  'c-forwarder': '#1f77b4',
  'bare-mediasoup': '#ff7f0e',
  conclave: '#2ca02c',
};
const LOSS_FLOOR_PCT = 0.001;
const PANEL = { width: 470, height: 400, top: 34 };

/** The run's plot: room cost against N with the fitted curves, loss against consumers, latency against consumers. */
export function renderForwardingPlot(
  title: string,
  runs: readonly TargetRun[],
  headline: HeadlineFigures,
): string {
  const measured = runs.filter((r) => r.status === 'ok');
  const missing = runs.filter((r) => r.status === 'missing').map((r) => `${r.name} missing`);
  const eta = headline.baseline_eta_bare_mediasoup_vs_c_forwarder;
  const heading = [
    title,
    eta === null ? null : `bare-mediasoup / c-forwarder = ${eta.toFixed(2)}`,
    headline.eta_vs_c_forwarder === null
      ? null
      : `η conclave / c-forwarder = ${headline.eta_vs_c_forwarder.toFixed(2)}`,
    ...missing,
  ]
    .filter((s): s is string => s !== null)
    .join(' · ');
  return renderDocument(PANEL.width * 3, PANEL.height + PANEL.top, heading, [
    { ...roomCostPanel(measured), left: 0, top: PANEL.top, width: PANEL.width, height: PANEL.height },
    { ...lossPanel(measured), left: PANEL.width, top: PANEL.top, width: PANEL.width, height: PANEL.height },
    {
      ...latencyPanel(measured),
      left: 2 * PANEL.width,
      top: PANEL.top,
      width: PANEL.width,
      height: PANEL.height,
    },
  ]);
}

type PanelBody = {
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
  guides?: { y: number; label: string }[];
};

function roomCostPanel(runs: readonly TargetRun[]): PanelBody {
  const series: Series[] = [];
  const values: number[] = [];
  let maxN = 2;
  for (const run of runs) {
    const points = run.roomCost?.points ?? [];
    if (points.length === 0) continue;
    maxN = Math.max(maxN, ...points.map((p) => p.participants));
    const markers = points
      .filter((p) => p.coresAtFullRate > 0)
      .map((p) => ({ x: p.participants, y: p.coresAtFullRate, hollow: !p.usedInFit }));
    values.push(...markers.map((m) => m.y));
    const fit = run.roomCost?.fit;
    const line = fit
      ? Array.from({ length: maxN - 1 }, (_, i) => ({ x: i + 2, y: roomCostAt(fit, i + 2) })).filter(
          (p) => p.y > 0,
        )
      : undefined;
    series.push({
      name: fit ? `${run.name}: ${formatFit(fit)}` : run.name,
      color: COLORS[run.name],
      markers,
      line,
    });
  }
  return {
    title: 'Room cost: worker cores at full rate vs N (mesh)',
    x: {
      label: 'participants N (everyone publishes and consumes everyone)',
      kind: 'linear',
      min: 0,
      max: maxN,
      format: String,
    },
    y: { label: 'cores (log)', kind: 'log', ...decades(values, 1e-3, 1), format: formatNumber },
    series,
  };
}

function lossPanel(runs: readonly TargetRun[]): PanelBody {
  const series: Series[] = [];
  let maxConsumers = 100;
  let threshold = 0.001;
  for (const run of runs) {
    const steps = [...(run.knee?.steps ?? [])].sort((a, b) => a.consumers - b.consumers);
    if (steps.length === 0) continue;
    threshold = run.knee?.lossThreshold ?? threshold;
    maxConsumers = Math.max(maxConsumers, ...steps.map((s) => s.consumers));
    const points = steps.map((s) => ({ x: s.consumers, y: Math.max(LOSS_FLOOR_PCT, s.loss * 100) }));
    const knee = run.knee?.consumersPerCore ?? run.knee?.consumersPerCoreAtLeast;
    const label = knee
      ? `${run.name}: knee ${run.knee?.consumersPerCore ? '' : '≥ '}${Math.round(knee)}`
      : run.name;
    series.push({ name: label, color: COLORS[run.name], markers: points, line: points });
  }
  return {
    title: 'Loss vs consumers on one worker core',
    x: {
      label: 'consumers (audio + video tracks)',
      kind: 'linear',
      min: 0,
      max: maxConsumers * 1.05,
      format: String,
    },
    y: {
      label: `loss % (log; ${LOSS_FLOOR_PCT} % = none)`,
      kind: 'log',
      min: LOSS_FLOOR_PCT,
      max: 100,
      format: formatNumber,
    },
    series,
    guides: [{ y: threshold * 100, label: `${threshold * 100} %` }],
  };
}

function latencyPanel(runs: readonly TargetRun[]): PanelBody {
  const series: Series[] = [];
  const values: number[] = [];
  let maxConsumers = 100;
  for (const run of runs) {
    const steps = (run.knee?.steps ?? [])
      .flatMap((s) => (s.latencyUs ? [{ consumers: s.consumers, latency: s.latencyUs }] : []))
      .sort((a, b) => a.consumers - b.consumers);
    if (steps.length === 0) continue;
    maxConsumers = Math.max(maxConsumers, ...steps.map((s) => s.consumers));
    const p50 = steps.map((s) => ({ x: s.consumers, y: Math.max(1, s.latency.p50) }));
    const p99 = steps.map((s) => ({ x: s.consumers, y: Math.max(1, s.latency.p99) }));
    values.push(...p50.map((p) => p.y), ...p99.map((p) => p.y));
    series.push({ name: `${run.name} p50`, color: COLORS[run.name], markers: p50, line: p50 });
    series.push({ name: `${run.name} p99`, color: COLORS[run.name], markers: p99, line: p99, dashed: true });
  }
  return {
    title: 'Added latency (send → receive) vs consumers',
    x: {
      label: 'consumers (audio + video tracks)',
      kind: 'linear',
      min: 0,
      max: maxConsumers * 1.05,
      format: String,
    },
    y: { label: 'latency (log)', kind: 'log', ...decades(values, 10, 1000), format: formatMicros },
    series,
  };
}

/** The smallest range of whole decades holding `values`, or the fallback when there are none. */
function decades(
  values: readonly number[],
  fallbackMin: number,
  fallbackMax: number,
): { min: number; max: number } {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return { min: fallbackMin, max: fallbackMax };
  const min = 10 ** Math.floor(Math.log10(Math.min(...positive)));
  const max = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
  return { min, max: max > min ? max : min * 10 };
}

function formatNumber(value: number): string {
  return value >= 1000 ? `${value / 1000}k` : String(Number(value.toPrecision(3)));
}

function formatFit(fit: { a: number; b: number; c: number }): string {
  return `${fit.a.toExponential(1)} + ${fit.b.toExponential(1)}·N + ${fit.c.toExponential(1)}·N(N−1)`;
}

function formatMicros(us: number): string {
  if (us >= 1e6) return `${us / 1e6} s`;
  if (us >= 1e3) return `${us / 1e3} ms`;
  return `${us} µs`;
}
