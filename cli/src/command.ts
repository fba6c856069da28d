/** One `conclave <name> …` command. Each lives in `commands/<name>.ts` and exports `command`. */
export interface CliCommand {
  name: string;
  /** One line for `conclave help`. */
  summary: string;
  /** Usage lines shown by `conclave help <name>` and on a usage error. */
  usage: string[];
  /** Runs the command; resolves with the process exit code. */
  run(args: string[]): Promise<number>;
}

/** A mistake in how the command was called: printed with the usage, exit code 2, never a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the operator can act on: printed as one clear line, exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
