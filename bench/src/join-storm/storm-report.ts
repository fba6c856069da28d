import { renderDocument, type Series } from '../report/svg-chart';
import type { StormResult } from './run-storm';

/** Issue 15 §4: everyone keyed within 3 s of the last arrival at N = 100; at most one epoch per 100 ms of arrivals. */
export const STORM_TARGETS = { keyedMsAfterLastArrivalAt100: 3000, arrivalMsPerEpoch: 100 } as const;

/**
 * The figures runs compare with jq: null when N = 100 was not measured (quick runs). `meets_targets` is false as
 * soon as a storm used too many epochs, and null (not known) when nothing failed but N = 100 was not measured.
 */
export function stormHeadline(rows: readonly StormResult[]) {
  const at100 = rows.find((r) => r.joiners === 100);
  const epochsWithinTarget = rows.every((r) => r.epochs <= r.epochsAllowed);
  return {
    join_storm_keyed_ms_after_last_at_100: at100?.keyedMsAfterLastArrival ?? null,
    join_storm_epochs_at_100: at100?.epochs ?? null,
    meets_targets:
      rows.length === 0 || (epochsWithinTarget && at100 === undefined)
        ? null
        : epochsWithinTarget && at100!.keyedMsAfterLastArrival <= STORM_TARGETS.keyedMsAfterLastArrivalAt100,
  };
}

const PANEL = { width: 470, height: 380, top: 34 };

/** Two panels against N: time to key everyone after the last arrival (3 s target), and epochs used. */
export function renderStormPlot(title: string, rows: readonly StormResult[]): string {
  const maxN = Math.max(10, ...rows.map((r) => r.joiners)) * 1.1;
  const keyed = rows.map((r) => ({ x: r.joiners, y: r.keyedMsAfterLastArrival }));
  const epochs = rows.map((r) => ({ x: r.joiners, y: r.epochs }));
  const allowed = rows.map((r) => ({ x: r.joiners, y: r.epochsAllowed }));
  const keyedSeries: Series[] = [
    { name: 'conclave (headless MLS clients)', color: '#2ca02c', markers: keyed, line: keyed },
  ];
  const epochSeries: Series[] = [
    { name: 'epochs used', color: '#2ca02c', markers: epochs, line: epochs },
    { name: 'allowed (1 per 100 ms of arrivals)', color: '#c00', line: allowed, dashed: true },
  ];
  const maxKeyed = Math.max(STORM_TARGETS.keyedMsAfterLastArrivalAt100 * 1.2, ...keyed.map((p) => p.y * 1.1));
  // Headroom above the highest line keeps it clear of the legend.
  const maxEpochs = Math.max(5, ...epochs.map((p) => p.y), ...allowed.map((p) => p.y)) * 1.4;
  return renderDocument(PANEL.width * 2, PANEL.height + PANEL.top, title, [
    {
      title: 'Keyed after the last arrival',
      left: 0,
      top: PANEL.top,
      width: PANEL.width,
      height: PANEL.height,
      x: { label: 'joiners N', kind: 'linear', min: 0, max: maxN, format: String },
      y: { label: 'ms', kind: 'linear', min: 0, max: maxKeyed, format: (v) => String(Math.round(v)) },
      series: keyedSeries,
      guides: [{ y: STORM_TARGETS.keyedMsAfterLastArrivalAt100, label: '3 s target (N = 100)' }],
    },
    {
      title: 'Epochs (commits) for the storm',
      left: PANEL.width,
      top: PANEL.top,
      width: PANEL.width,
      height: PANEL.height,
      x: { label: 'joiners N', kind: 'linear', min: 0, max: maxN, format: String },
      y: { label: 'epochs', kind: 'linear', min: 0, max: maxEpochs, format: (v) => String(Math.round(v)) },
      series: epochSeries,
    },
  ]);
}
