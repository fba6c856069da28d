import { renderDocument, type Series } from '../report/svg-chart';
import type { Weight } from '../../../services/web/src/bundle-size';
import type { InterfaceCpu } from './interface-cpu';
import type { JoinTiming } from './join-timing';

/** Issue 12 §6. */
export const TARGETS = {
  sign_in_initial_js_gzip_kb: 250,
  join_to_first_decrypted_frame_ms: 1500,
  interface_cpu_ratio: 1.15,
} as const;

export interface MeetingClientResults {
  bundle: { signIn: Weight; meeting: Weight };
  join: JoinTiming | null;
  cpu: InterfaceCpu | null;
}

const kB = (bytes: number) => Math.round(bytes / 100) / 10;

/** The figures runs compare with jq (null when not measured), and whether each meets its target. */
export function headline(results: MeetingClientResults) {
  const figures = {
    sign_in_initial_js_gzip_kb: kB(results.bundle.signIn.gzipBytes),
    sign_in_initial_js_brotli_kb: kB(results.bundle.signIn.brotliBytes),
    meeting_initial_js_gzip_kb: kB(results.bundle.meeting.gzipBytes),
    meeting_initial_js_brotli_kb: kB(results.bundle.meeting.brotliBytes),
    join_to_first_decrypted_frame_ms: results.join?.medianFromEnterMs ?? null,
    page_load_to_first_decrypted_frame_ms: results.join?.medianFromPageLoadMs ?? null,
    interface_cpu_ratio: results.cpu?.ratio ?? null,
  };
  const meets = (value: number | null, target: number) => (value === null ? null : value <= target);
  return {
    ...figures,
    meets_targets: {
      sign_in_initial_js_gzip_kb: meets(
        figures.sign_in_initial_js_gzip_kb,
        TARGETS.sign_in_initial_js_gzip_kb,
      ),
      join_to_first_decrypted_frame_ms: meets(
        figures.join_to_first_decrypted_frame_ms,
        TARGETS.join_to_first_decrypted_frame_ms,
      ),
      page_load_to_first_decrypted_frame_ms: meets(
        figures.page_load_to_first_decrypted_frame_ms,
        TARGETS.join_to_first_decrypted_frame_ms,
      ),
      interface_cpu_ratio: meets(figures.interface_cpu_ratio, TARGETS.interface_cpu_ratio),
    },
  };
}

const PANEL = { width: 420, height: 300, top: 30 };

/** Three panels: initial JavaScript per page, join → first frame per trial, Chromium cores per CPU phase. */
export function plot(results: MeetingClientResults, title: string): string {
  const sizes: Series[] = [
    {
      name: 'gzip',
      color: '#1f77b4',
      markers: [
        { x: 1, y: kB(results.bundle.signIn.gzipBytes) },
        { x: 2, y: kB(results.bundle.meeting.gzipBytes) },
      ],
    },
    {
      name: 'brotli',
      color: '#2ca02c',
      markers: [
        { x: 1, y: kB(results.bundle.signIn.brotliBytes) },
        { x: 2, y: kB(results.bundle.meeting.brotliBytes) },
      ],
    },
  ];
  const trials = results.join?.trials ?? [];
  const joins: Series[] = [
    {
      name: 'Enter → frame',
      color: '#1f77b4',
      markers: trials.map((t, i) => ({ x: i + 1, y: t.fromEnterMs })),
    },
    {
      name: 'page load → frame',
      color: '#ff7f0e',
      markers: trials.map((t, i) => ({ x: i + 1, y: t.fromPageLoadMs })),
    },
  ];
  const phases = results.cpu?.phases ?? [];
  const cpu: Series[] = (['interface', 'minimal'] as const).map((arm) => ({
    name: arm === 'interface' ? 'meeting client' : 'minimal test page',
    color: arm === 'interface' ? '#d62728' : '#7f7f7f',
    markers: phases.flatMap((p, i) => (p.arm === arm ? [{ x: i + 1, y: p.chromiumCores }] : [])),
  }));
  const maxMs =
    Math.max(TARGETS.join_to_first_decrypted_frame_ms, ...trials.map((t) => t.fromPageLoadMs)) * 1.3;
  const maxCores = Math.max(0.5, ...phases.map((p) => p.chromiumCores)) * 1.4;
  const maxKb = Math.max(TARGETS.sign_in_initial_js_gzip_kb, kB(results.bundle.meeting.gzipBytes)) * 1.3;
  return renderDocument(PANEL.width * 3, PANEL.height + PANEL.top, title, [
    {
      title: 'Initial JavaScript (1 = sign-in, 2 = meeting)',
      left: 0,
      top: PANEL.top,
      width: PANEL.width,
      height: PANEL.height,
      x: {
        label: 'page',
        kind: 'linear',
        min: 0.5,
        max: 2.5,
        format: (v) => (Number.isInteger(v) ? String(v) : ''),
      },
      y: { label: 'kB compressed', kind: 'linear', min: 0, max: maxKb, format: (v) => String(Math.round(v)) },
      series: sizes,
      guides: [{ y: TARGETS.sign_in_initial_js_gzip_kb, label: '250 kB target (sign-in)' }],
    },
    {
      title: 'Join → first decrypted remote frame',
      left: PANEL.width,
      top: PANEL.top,
      width: PANEL.width,
      height: PANEL.height,
      x: { label: 'trial', kind: 'linear', min: 0, max: Math.max(2, trials.length + 1), format: String },
      y: { label: 'ms', kind: 'linear', min: 0, max: maxMs, format: (v) => String(Math.round(v)) },
      series: joins,
      guides: [{ y: TARGETS.join_to_first_decrypted_frame_ms, label: '1.5 s target' }],
    },
    {
      title: `Chromium CPU, 4 people (ratio ${results.cpu?.ratio ?? 'n/a'})`,
      left: PANEL.width * 2,
      top: PANEL.top,
      width: PANEL.width,
      height: PANEL.height,
      x: {
        label: 'phase (ABBA)',
        kind: 'linear',
        min: 0,
        max: Math.max(2, phases.length + 1),
        format: String,
      },
      y: { label: 'cores', kind: 'linear', min: 0, max: maxCores, format: (v) => v.toFixed(1) },
      series: cpu,
    },
  ]);
}
