import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { NODE_WRAPPER, ROOT } from './paths';

/** Starts a TypeScript entry point on the pinned Node, sharing this terminal unless told otherwise. */
export function spawnNode(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdio: StdioOptions = 'inherit',
): ChildProcess {
  return spawn(NODE_WRAPPER, [entry, ...args], { cwd: ROOT, stdio, env });
}

/** Resolves with the child's exit code (a signal counts as 128 + its number, as in shells). */
export function exitCodeOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) =>
      resolve(code ?? (signal !== null ? 128 + (signalNumbers[signal] ?? 1) : 1)),
    );
  });
}

const signalNumbers: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
