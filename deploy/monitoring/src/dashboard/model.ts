/**
 * A small typed model of the part of Grafana's dashboard JSON (schema version 39) the Conclave dashboard uses:
 * rows of time-series and stat panels over one Prometheus data source chosen at import.
 */

export interface DataSourceRef {
  type: 'prometheus';
  uid: string;
}

/** The data source is a template variable, so the dashboard imports into any Grafana with a Prometheus source. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export interface Query {
  refId: string;
  expr: string;
  legendFormat: string;
  datasource: DataSourceRef;
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Grafana units used here: https://grafana.com/docs/grafana/latest/panels-visualizations/configure-standard-options/ */
export type Unit = 'none' | 'short' | 'bytes' | 'percentunit' | 's' | 'pps' | 'bps' | 'ops' | 'reqps';

export interface QueryPanel {
  id: number;
  type: 'timeseries' | 'stat';
  title: string;
  description: string;
  datasource: DataSourceRef;
  gridPos: GridPos;
  targets: Query[];
  fieldConfig: { defaults: { unit: Unit; min?: number; max?: number }; overrides: [] };
  options: Record<string, unknown>;
}

export interface RowPanel {
  id: number;
  type: 'row';
  title: string;
  collapsed: false;
  gridPos: GridPos;
  panels: [];
}

export type Panel = QueryPanel | RowPanel;

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: 'browser';
  schemaVersion: 39;
  version: 1;
  editable: boolean;
  graphTooltip: 1;
  refresh: string;
  time: { from: string; to: string };
  templating: {
    list: {
      name: 'datasource';
      label: string;
      type: 'datasource';
      query: 'prometheus';
      current: Record<string, never>;
      hide: 0;
    }[];
  };
  annotations: { list: [] };
  links: [];
  panels: Panel[];
}

/** What a panel shows, before it is placed on the grid. */
export interface PanelSpec {
  type: QueryPanel['type'];
  title: string;
  description: string;
  unit: Unit;
  /** Grid columns out of 24. */
  width: number;
  queries: { expr: string; legend?: string }[];
  min?: number;
  max?: number;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

const PANEL_HEIGHT = { timeseries: 8, stat: 4 } as const;
const GRID_WIDTH = 24;

export function timeseries(
  title: string,
  description: string,
  unit: Unit,
  queries: PanelSpec['queries'],
  width = 8,
): PanelSpec {
  return { type: 'timeseries', title, description, unit, width, queries, min: 0 };
}

export function stat(title: string, description: string, unit: Unit, expr: string, width = 4): PanelSpec {
  return { type: 'stat', title, description, unit, width, queries: [{ expr }] };
}

/** Lays rows out top to bottom, each row's panels left to right, wrapping at 24 columns. Ids are sequential. */
export function layout(rows: RowSpec[]): Panel[] {
  const panels: Panel[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { x: 0, y, w: GRID_WIDTH, h: 1 },
      panels: [],
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const spec of row.panels) {
      if (spec.width > GRID_WIDTH) throw new Error(`${spec.title}: wider than the grid`);
      const h = PANEL_HEIGHT[spec.type];
      if (x + spec.width > GRID_WIDTH) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      panels.push(queryPanel(id++, spec, { x, y, w: spec.width, h }));
      x += spec.width;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return panels;
}

function queryPanel(id: number, spec: PanelSpec, gridPos: GridPos): QueryPanel {
  return {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos,
    targets: spec.queries.map((query, index) => ({
      refId: String.fromCharCode(65 + index),
      expr: query.expr,
      legendFormat: query.legend ?? '__auto',
      datasource: DATASOURCE,
    })),
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(spec.min !== undefined ? { min: spec.min } : {}),
        ...(spec.max !== undefined ? { max: spec.max } : {}),
      },
      overrides: [],
    },
    options:
      spec.type === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' }
        : {
            legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
            tooltip: { mode: 'multi' },
          },
  };
}

/** The query panels of a dashboard (rows excluded). */
export function queryPanels(dashboard: Dashboard): QueryPanel[] {
  return dashboard.panels.filter((panel): panel is QueryPanel => panel.type !== 'row');
}
