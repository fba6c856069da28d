/** An axis: linear, or log10 (domain must then be positive). */
export interface Axis {
  label: string;
  kind: 'linear' | 'log';
  min: number;
  max: number;
  /** Formats a tick value. */
  format: (value: number) => string;
}

/** A data series: markers, an optional line, both in data coordinates. */
export interface Series {
  name: string;
  color: string;
  markers?: readonly { x: number; y: number; hollow?: boolean }[];
  line?: readonly { x: number; y: number }[];
  dashed?: boolean;
}

/** A chart panel placed at (left, top) of the page, `width` × `height` including its margins. */
export interface Panel {
  title: string;
  left: number;
  top: number;
  width: number;
  height: number;
  x: Axis;
  y: Axis;
  series: readonly Series[];
  /** Horizontal reference lines (e.g. a loss threshold). */
  guides?: readonly { y: number; label: string }[];
}

const MARGIN = { left: 70, right: 16, top: 34, bottom: 46 };

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

/** Maps a data value to a pixel offset in [0, length] along `axis` (clamped). */
export function project(axis: Axis, value: number, length: number): number {
  const t =
    axis.kind === 'log'
      ? (Math.log10(Math.max(value, axis.min)) - Math.log10(axis.min)) /
        (Math.log10(axis.max) - Math.log10(axis.min))
      : (value - axis.min) / (axis.max - axis.min);
  return Math.min(1, Math.max(0, t)) * length;
}

/** Tick values: round linear steps (1, 2, 5 × 10ᵏ), or each power of ten on a log axis. */
export function ticks(axis: Axis, target = 6): number[] {
  if (axis.kind === 'log') {
    const out: number[] = [];
    for (let e = Math.ceil(Math.log10(axis.min) - 1e-9); e <= Math.floor(Math.log10(axis.max) + 1e-9); e++)
      out.push(10 ** e);
    return out;
  }
  const raw = (axis.max - axis.min) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) as number;
  const out: number[] = [];
  for (let v = Math.ceil(axis.min / step) * step; v <= axis.max + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** Renders one panel as an SVG group. */
export function renderPanel(panel: Panel): string {
  const w = panel.width - MARGIN.left - MARGIN.right;
  const h = panel.height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => (MARGIN.left + project(panel.x, x, w)).toFixed(1);
  const py = (y: number) => (MARGIN.top + h - project(panel.y, y, h)).toFixed(1);
  const out: string[] = [`<g transform="translate(${panel.left},${panel.top})">`];
  out.push(`<text x="${MARGIN.left}" y="20" class="title">${escapeXml(panel.title)}</text>`);
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" class="frame"/>`);
  for (const t of ticks(panel.x)) {
    out.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${MARGIN.top}" y2="${MARGIN.top + h}" class="grid"/>`);
    out.push(
      `<text x="${px(t)}" y="${MARGIN.top + h + 16}" class="tick" text-anchor="middle">${escapeXml(panel.x.format(t))}</text>`,
    );
  }
  for (const t of ticks(panel.y)) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${py(t)}" y2="${py(t)}" class="grid"/>`);
    out.push(
      `<text x="${MARGIN.left - 6}" y="${py(t)}" class="tick" text-anchor="end" dy="4">${escapeXml(panel.y.format(t))}</text>`,
    );
  }
  out.push(
    `<text x="${MARGIN.left + w / 2}" y="${panel.height - 8}" class="label" text-anchor="middle">${escapeXml(panel.x.label)}</text>`,
  );
  out.push(
    `<text transform="translate(16,${MARGIN.top + h / 2}) rotate(-90)" class="label" text-anchor="middle">${escapeXml(panel.y.label)}</text>`,
  );
  for (const guide of panel.guides ?? []) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${py(guide.y)}" y2="${py(guide.y)}" class="guide"/>`,
    );
    out.push(
      `<text x="${MARGIN.left + w - 4}" y="${py(guide.y)}" dy="-4" class="tick" text-anchor="end">${escapeXml(guide.label)}</text>`,
    );
  }
  for (const s of panel.series) {
    if (s.line && s.line.length > 1) {
      const points = s.line.map((p) => `${px(p.x)},${py(p.y)}`).join(' ');
      out.push(
        `<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    }
    for (const m of s.markers ?? []) {
      const fill = m.hollow ? 'white' : s.color;
      out.push(
        `<circle cx="${px(m.x)}" cy="${py(m.y)}" r="4" fill="${fill}" stroke="${s.color}" stroke-width="1.5"/>`,
      );
    }
  }
  out.push(legend(panel.series, MARGIN.left + 10, MARGIN.top + 16));
  out.push('</g>');
  return out.join('\n');
}

function legend(series: readonly Series[], x: number, y: number): string {
  return series
    .map(
      (s, i) =>
        `<line x1="${x}" x2="${x + 18}" y1="${y + i * 16 - 4}" y2="${y + i * 16 - 4}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>` +
        `<text x="${x + 24}" y="${y + i * 16}" class="tick">${escapeXml(s.name)}</text>`,
    )
    .join('\n');
}

/** A complete SVG document holding `panels`, with a heading line. */
export function renderDocument(
  width: number,
  height: number,
  heading: string,
  panels: readonly Panel[],
): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    '<style>.title{font-size:14px;font-weight:bold}.label{font-size:12px}.tick{font-size:11px;fill:#333}' +
      '.frame{fill:none;stroke:#888}.grid{stroke:#e4e4e4}.guide{stroke:#c00;stroke-dasharray:4 3}</style>',
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="16" y="22" font-size="15">${escapeXml(heading)}</text>`,
    ...panels.map(renderPanel),
    '</svg>',
    '',
  ].join('\n');
}
