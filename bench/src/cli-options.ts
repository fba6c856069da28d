import { TARGET_NAMES, type TargetName } from './targets/registry';

/** Command-line options of `npm run bench`. */
export interface CliOptions {
  quick: boolean;
  targets: TargetName[];
  outDir: string;
  /** Pin the target to one core and the generator to another (default); off only for diagnosis. */
  pin: boolean;
  /** Run the target and the generator at raised priority (nice −20, SCHED_FIFO sender) (default). */
  priority: boolean;
  help: boolean;
}

/** Usage text for --help. */
export const USAGE = `usage: npm run bench -- [--quick] [--targets ${TARGET_NAMES.join(',')}] [--out DIR] [--no-pin]
  --quick      under two minutes: short windows, few points (results named <date>-quick-forwarding.*)
  --targets    comma-separated subset of the targets, in any order (default: all)
  --out        directory for the JSON and SVG (default: bench/results)
  --no-pin     do not pin the target and the generator to separate cores (no per-core knee then)
  --no-priority  run at normal priority (other work on the machine then competes with the target)`;

/** Parses argv (without node and the script); throws with every problem on bad input. */
export function parseCliOptions(argv: readonly string[], defaultOutDir: string): CliOptions {
  const options: CliOptions = {
    quick: false,
    targets: [...TARGET_NAMES],
    outDir: defaultOutDir,
    pin: true,
    priority: true,
    help: false,
  };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--quick':
        options.quick = true;
        break;
      case '--no-pin':
        options.pin = false;
        break;
      case '--no-priority':
        options.priority = false;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--out': {
        const dir = value();
        if (dir) options.outDir = dir;
        else problems.push('--out needs a directory');
        break;
      }
      case '--targets': {
        const names = (value() ?? '').split(',').filter(Boolean);
        const unknown = names.filter((n) => !(TARGET_NAMES as readonly string[]).includes(n));
        if (names.length === 0) problems.push('--targets needs at least one target');
        if (unknown.length)
          problems.push(`unknown target(s): ${unknown.join(', ')} (known: ${TARGET_NAMES.join(', ')})`);
        options.targets = TARGET_NAMES.filter((n) => names.includes(n));
        break;
      }
      default:
        problems.push(`unknown option ${argv[i]}`);
    }
  }
  if (problems.length) throw new Error(`${problems.join('; ')}\n${USAGE}`);
  return options;
}
