import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, UsageError, type CliCommand } from './command';

/** Commands are discovered from `commands/`: each file exports `command`. */
function loadCommands(): Map<string, CliCommand> {
  const commands = new Map<string, CliCommand>();
  const dir = join(__dirname, 'commands');
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.ts') || file.endsWith('.spec.ts') || file.endsWith('.d.ts')) continue;
    const module = require(join(dir, file)) as { command?: CliCommand };
    if (module.command !== undefined) commands.set(module.command.name, module.command);
  }
  return commands;
}

function help(commands: Map<string, CliCommand>): void {
  console.log('usage: conclave <command> [options]\n');
  const width = Math.max(...[...commands.keys()].map((n) => n.length));
  for (const command of commands.values()) console.log(`  ${command.name.padEnd(width)}  ${command.summary}`);
  console.log('\nconclave help <command> shows its options.');
}

function printUsage(command: CliCommand): void {
  console.log(`${command.summary}\n`);
  console.log(command.usage.map((u) => `usage: conclave ${u}`).join('\n'));
}

async function main(argv: string[]): Promise<number> {
  // Files the CLI writes (passwords, configuration, exports, databases) are for the operator only.
  process.umask(0o077);
  const commands = loadCommands();
  const [name, ...args] = argv;
  if (name === undefined) {
    help(commands);
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic === undefined) {
      help(commands);
      return 0;
    }
    const command = commands.get(topic);
    if (command === undefined) {
      console.error(`conclave help: unknown command '${topic}' (conclave help lists them)`);
      return 2;
    }
    printUsage(command);
    return 0;
  }
  const command = commands.get(name);
  if (command === undefined) {
    console.error(`conclave: unknown command '${name}' (conclave help lists them)`);
    return 2;
  }
  // `conclave <command> --help` anywhere among its arguments shows its usage, whatever else was given.
  if (args.includes('--help') || args.includes('-h')) {
    printUsage(command);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`conclave ${name}: ${error.message}`);
      console.error(command.usage.map((u) => `usage: conclave ${u}`).join('\n'));
      return 2;
    }
    if (error instanceof CliError) {
      console.error(`conclave ${name}: ${error.message}`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`conclave ${name}: ${message.split('\n').join('\n  ')}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
