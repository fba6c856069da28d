/**
 * Writes deploy/monitoring/grafana/conclave.json from the TypeScript definition:
 *
 *   scripts/node deploy/monitoring/src/write-dashboard.ts
 *
 * The monitoring test fails while the committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardJson } from './dashboard/conclave-dashboard';

export const DASHBOARD_FILE = join(__dirname, '../grafana/conclave.json');

if (require.main === module) {
  writeFileSync(DASHBOARD_FILE, dashboardJson());
  console.log(`wrote ${DASHBOARD_FILE}`);
}
