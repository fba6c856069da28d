import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { conclaveDashboard, dashboardJson } from '../src/dashboard/conclave-dashboard';
import { queryPanels, type GridPos } from '../src/dashboard/model';
import { DASHBOARD_FILE } from '../src/write-dashboard';
import { promtool } from './support/monitoring-files';

const overlap = (a: GridPos, b: GridPos) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('deploy/monitoring/grafana/conclave.json', () => {
  test('the committed JSON equals what write-dashboard.ts generates', async () => {
    assert.equal(
      await readFile(DASHBOARD_FILE, 'utf8'),
      dashboardJson(),
      'run: scripts/node deploy/monitoring/src/write-dashboard.ts',
    );
  });

  test('has rows for the services, the SFU, E2EE health, authentication, rooms and TURN, each with panels', () => {
    const { panels } = conclaveDashboard();
    const rows = panels.filter((panel) => panel.type === 'row').map((panel) => panel.title);
    assert.deepEqual(rows, ['Services', 'SFU', 'E2EE health', 'Authentication', 'Rooms', 'TURN']);
    panels.forEach((panel, index) => {
      if (panel.type === 'row')
        assert.notEqual(panels[index + 1]?.type ?? 'row', 'row', `${panel.title} is empty`);
    });
  });

  test('panel ids are unique, panels fit the 24-column grid and none overlaps another', () => {
    const { panels } = conclaveDashboard();
    assert.equal(new Set(panels.map((panel) => panel.id)).size, panels.length);
    for (const [i, panel] of panels.entries()) {
      assert.ok(
        panel.gridPos.x >= 0 && panel.gridPos.x + panel.gridPos.w <= 24,
        `${panel.title} leaves the grid`,
      );
      for (const other of panels.slice(i + 1))
        assert.ok(!overlap(panel.gridPos, other.gridPos), `${panel.title} overlaps ${other.title}`);
    }
  });

  test('every panel queries the data source variable, has a description and at least one query', () => {
    const dashboard = conclaveDashboard();
    assert.deepEqual(
      dashboard.templating.list.map((v) => [v.name, v.type, v.query]),
      [['datasource', 'datasource', 'prometheus']],
    );
    for (const panel of queryPanels(dashboard)) {
      assert.ok(panel.description.length > 0, `${panel.title}: description`);
      assert.ok(panel.targets.length > 0, `${panel.title}: no query`);
      for (const target of [panel, ...panel.targets])
        assert.deepEqual(target.datasource, { type: 'prometheus', uid: '${datasource}' });
    }
  });

  test('promtool check rules accepts every panel query as a recording rule expression', async () => {
    const rules = queryPanels(conclaveDashboard()).flatMap((panel) =>
      panel.targets.map((target) => ({
        record: `dashboard:panel_${panel.id}_${target.refId}`,
        expr: target.expr,
      })),
    );
    assert.ok(rules.length >= 40, `only ${rules.length} queries`);
    const dir = await mkdtemp(join(tmpdir(), 'conclave-dashboard-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const result = promtool('check', 'rules', file);
      assert.equal(result.status, 0, result.output);
      assert.match(result.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
