import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { CertificateAuthority, pkiPaths } from '@conclave/server-kit';
import {
  alertRules,
  MONITORING_DIR,
  promtool,
  readYaml,
  ruleFiles,
  ruleTestFiles,
  yamlFiles,
} from './support/monitoring-files';
import { committedConfig, withLocalFiles, writeConfig } from './support/prometheus';

/** Issue 14 §4, in its order: a service or worker down or restarting … disk nearly full for the database. */
const REQUIRED_ALERTS = [
  'ConclaveServiceDown',
  'ConclaveServiceRestarting',
  'SfuWorkerRestarted',
  'SfuNoWorker',
  'SfuWorkerCpuSaturated',
  'SfuPacketLossHigh',
  'SfuRoundTripTimeHigh',
  'RoomsJoinFailuresHigh',
  'MlsCommitsRejected',
  'AuthSignInFailureBurst',
  'AuthAccountLockouts',
  'AuthDirectoryUnreachable',
  'AuditChainBroken',
  'AuditCheckpointOverdue',
  'CertificateExpiresSoon',
  'CertificateExpiresVerySoon',
  'TurnAllocationsNearQuota',
  'DatabaseDiskNearlyFull',
];

/** The anchor GitHub (and most Markdown renderers) give a heading. */
function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

const rel = (path: string) => relative(MONITORING_DIR, path);

describe('deploy/monitoring: scrape configuration and alert rules', () => {
  test('promtool check config accepts prometheus.yml, the rule files it loads and its TLS files once they exist', async () => {
    // The committed TLS paths (/etc/prometheus/conclave/…) exist on the monitoring host only: point them at a real CA's.
    const dir = await mkdtemp(join(tmpdir(), 'conclave-promtool-'));
    try {
      const ca = await CertificateAuthority.init(join(dir, 'pki'), {
        passphrase: 'a test passphrase, not a secret',
      });
      const files = { caFile: pkiPaths(ca.dir).rootCert, ...(await ca.issue('prometheus')) };
      const file = await writeConfig(withLocalFiles(await committedConfig(), files));
      const result = promtool('check', 'config', file);
      assert.equal(result.status, 0, result.output);
      assert.match(result.output, /SUCCESS: .*prometheus.yml is valid/);
      assert.match(result.output, /SUCCESS: \d+ rules found/);
      await rm(dirname(file), { recursive: true, force: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('prometheus.yml scrapes every Conclave job over HTTPS with a client certificate (mutual TLS)', () => {
    const config = readYaml<{
      scrape_configs: { scheme?: string; tls_config?: Record<string, string> }[];
    }>(`${MONITORING_DIR}/prometheus.yml`);
    for (const job of config.scrape_configs) {
      assert.equal(job.scheme, 'https');
      assert.deepEqual(Object.keys(job.tls_config ?? {}).sort(), ['ca_file', 'cert_file', 'key_file']);
    }
  });

  test('promtool check rules accepts every file under alerts/', () => {
    const files = yamlFiles('alerts').map(rel);
    assert.ok(files.length > 0);
    const result = promtool('check', 'rules', ...files);
    assert.equal(result.status, 0, result.output);
  });

  test('promtool test rules passes every unit test under tests/', () => {
    const files = yamlFiles('tests').map(rel);
    assert.ok(files.length > 0);
    const result = promtool('test', 'rules', ...files);
    assert.equal(result.status, 0, result.output);
    assert.doesNotMatch(result.output, /FAILED/);
  });

  test('prometheus.yml scrapes sfu, auth and rooms under the job names the rules select', () => {
    const config = readYaml<{ scrape_configs: { job_name: string }[]; rule_files: string[] }>(
      `${MONITORING_DIR}/prometheus.yml`,
    );
    assert.deepEqual(
      config.scrape_configs.map((job) => job.job_name),
      ['conclave-sfu', 'conclave-auth', 'conclave-rooms'],
    );
    assert.deepEqual(config.rule_files, ['alerts/*.yml']);
  });

  test('every alert has a severity, a summary, a description and a runbook link into runbooks.md', () => {
    const alerts = alertRules();
    for (const rule of alerts) {
      assert.match(rule.labels?.severity ?? '', /^(critical|warning)$/, `${rule.alert}: severity`);
      assert.ok((rule.annotations?.summary ?? '').length > 0, `${rule.alert}: summary`);
      assert.ok((rule.annotations?.description ?? '').length > 0, `${rule.alert}: description`);
      assert.match(
        rule.annotations?.runbook_url ?? '',
        /^docs\/operations\/runbooks\.md#[a-z0-9-]+$/,
        `${rule.alert}: runbook_url`,
      );
    }
    assert.equal(new Set(alerts.map((rule) => rule.alert)).size, alerts.length, 'alert names are unique');
  });

  test('every runbook link names a section of docs/operations/runbooks.md, one section per alert', () => {
    const runbooks = readFileSync(join(MONITORING_DIR, '../../docs/operations/runbooks.md'), 'utf8');
    const anchors = new Set([...runbooks.matchAll(/^## (.+)$/gm)].map((match) => githubAnchor(match[1]!)));
    for (const rule of alertRules()) {
      const anchor = rule.annotations?.runbook_url?.split('#')[1] ?? '';
      assert.ok(anchors.has(anchor), `${rule.alert}: no section #${anchor} in runbooks.md`);
      assert.equal(anchor, githubAnchor(rule.alert), `${rule.alert}: its runbook section bears its name`);
    }
  });

  test('the rules cover every situation issue 14 asks an operator to be told about', () => {
    assert.deepEqual(
      alertRules()
        .map((rule) => rule.alert)
        .sort(),
      [...REQUIRED_ALERTS].sort(),
    );
  });

  test('every alert has a promtool test where it fires and one where it does not', () => {
    const cases = ruleTestFiles().flatMap((file) => file.tests.flatMap((t) => t.alert_rule_test ?? []));
    for (const rule of alertRules()) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${rule.alert} has no test where it fires`,
      );
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${rule.alert} has no test where it stays silent`,
      );
    }
  });

  test('every rule file is loaded by a test file', () => {
    const tested = new Set(
      ruleTestFiles().flatMap((file) => file.rule_files.map((f) => f.replace(/^\.\.\//, ''))),
    );
    for (const file of ruleFiles()) assert.ok(tested.has(rel(file.path)), `${rel(file.path)} is not tested`);
  });
});
