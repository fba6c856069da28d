import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** `deploy/monitoring`, where prometheus.yml, alerts/ and tests/ live. */
export const MONITORING_DIR = join(__dirname, '../..');

export interface AlertRule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleFile {
  path: string;
  groups: { name: string; rules: (AlertRule | RecordingRule)[] }[];
}

export interface RuleTestFile {
  path: string;
  rule_files: string[];
  tests: {
    name?: string;
    alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
  }[];
}

/** The `*.yml` files of a folder under `deploy/monitoring`, as absolute paths, sorted. */
export function yamlFiles(folder: string): string[] {
  const dir = join(MONITORING_DIR, folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((name) => join(dir, name));
}

export function readYaml<T>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

export function ruleFiles(): RuleFile[] {
  return yamlFiles('alerts').map((path) => ({ path, ...readYaml<Omit<RuleFile, 'path'>>(path) }));
}

export function alertRules(): AlertRule[] {
  return ruleFiles().flatMap((file) =>
    file.groups.flatMap((group) => group.rules.filter((rule): rule is AlertRule => 'alert' in rule)),
  );
}

export function ruleTestFiles(): RuleTestFile[] {
  return yamlFiles('tests').map((path) => ({ path, ...readYaml<Omit<RuleTestFile, 'path'>>(path) }));
}

export interface ToolResult {
  status: number | null;
  output: string;
}

/** Runs `promtool` (Debian package `prometheus`, installed by scripts/setup.sh) in `deploy/monitoring`. */
export function promtool(...args: string[]): ToolResult {
  const result = spawnSync('promtool', args, { cwd: MONITORING_DIR, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
