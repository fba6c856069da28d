/**
 * `npm test`: typecheck, lint, format check, then every unit spec (`*.spec.ts`) and integration test (`test/**\/*.test.ts`)
 * with Node's test runner on the pinned Node. Ends with the line `N passed, M failed`.
 *
 *   scripts/node scripts/run-tests.ts [--project <dir>] [--only-tests] [files…]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(__dirname, '..');
const SEARCH_ROOTS = ['libs', 'services', 'cli', 'bench', 'scripts', 'deploy'];
const SKIP_DIRS = new Set(['node_modules', '.tools', 'dist', 'results', '.nx']);

function findTests(dir: string, out: string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (SKIP_DIRS.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (entry.endsWith('.spec.ts') || (entry.endsWith('.test.ts') && path.includes('/test/')))
      out.push(path);
  }
  return out;
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: process.env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { project: { type: 'string' }, 'only-tests': { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const node = join(root, 'scripts/node');
  const checks: { name: string; ok: boolean }[] = [];

  if (!values['only-tests'] && positionals.length === 0) {
    console.log('\n== typecheck (tsc --noEmit, strict) ==');
    checks.push({
      name: 'typecheck',
      ok: (await run(node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'])) === 0,
    });
    console.log('\n== lint (eslint, module boundaries) ==');
    // The module-boundary rule reads Nx's project graph: compute it first (it is skipped without one).
    await run(node, ['node_modules/nx/dist/bin/nx.js', 'show', 'projects', '--json']);
    const lintTarget = values.project ?? '.';
    checks.push({
      name: 'lint',
      ok: (await run(node, ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', lintTarget])) === 0,
    });
    console.log('\n== format (prettier --check) ==');
    checks.push({
      name: 'format',
      ok:
        (await run(node, [
          'node_modules/prettier/bin/prettier.cjs',
          '--check',
          '--log-level',
          'warn',
          lintTarget,
        ])) === 0,
    });
  }

  const searchRoots = values.project !== undefined ? [values.project] : SEARCH_ROOTS;
  const files =
    positionals.length > 0
      ? positionals
      : searchRoots
          .flatMap((dir) => findTests(join(root, dir), []))
          .map((f) => relative(root, f))
          .sort();
  // Browser tests measure real-time behaviour (rekey within 0.5 s, recovery within 3 s): they run one file at a
  // time after the rest, so a CPU-heavy spec next to them cannot starve two Chromium instances on 2 cores.
  const browser = files.filter((f) => f.includes('services/web/test/'));
  const others = files.filter((f) => !browser.includes(f));
  mkdirSync(join(root, 'tmp'), { recursive: true });
  let passed = 0;
  let failed = 0;
  let code = 0;
  for (const [phase, phaseFiles, concurrency] of [
    ['tests', others, 2],
    ['browser tests', browser, 1],
  ] as const) {
    if (phaseFiles.length === 0) continue;
    console.log(`\n== ${phase} (${phaseFiles.length} files) ==`);
    const tap = join(root, `tmp/${phase.replace(' ', '-')}.tap`);
    const phaseCode = await run(node, [
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-timeout=240000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...phaseFiles,
    ]);
    const tapText = readFileSync(tap, 'utf8');
    const count = (label: string) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(tapText)?.[1] ?? 0);
    passed += count('pass');
    failed += count('fail') + count('cancelled');
    if (phaseCode !== 0) code = phaseCode;
  }
  for (const check of checks) {
    if (check.ok) passed++;
    else failed++;
    console.log(`${check.ok ? '✔' : '✖'} ${check.name}`);
  }
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

void main();
