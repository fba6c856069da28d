import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { placedCommand, type Placement } from './placement';

/** How a child process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Every stdout line, in order. */
  lines: string[];
  stderr: string;
}

const STDERR_KEEP = 8192;

/** A child process driven line by line over stdout, with every wait bounded in time. */
export class LineProcess {
  readonly pid: number;
  private readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  private stderrTail = '';
  private readonly exit: Promise<ProcessExit>;

  private constructor(private readonly child: ChildProcess) {
    if (child.pid === undefined || !child.stdout || !child.stderr)
      throw new Error(`cannot start ${child.spawnfile}`);
    this.pid = child.pid;
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.waiters) wake();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_KEEP);
    });
    this.exit = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        resolve({ code, signal, lines: this.lines, stderr: this.stderrTail });
        for (const wake of this.waiters) wake();
      });
    });
  }

  /** Starts `command`, placed on CPUs and at a priority when `placement` is given. */
  static start(command: string, args: readonly string[], placement?: Placement): LineProcess {
    const [file, argv] = placement ? placedCommand(placement, command, args) : [command, args];
    return new LineProcess(spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Resolves with the first stdout line (seen so far or later) that `matches`; rejects on exit or timeout. */
  waitForLine(matches: (line: string) => boolean, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      let exited = false;
      void this.exit.then(() => (exited = true));
      const check = () => {
        const found = this.lines.find(matches);
        if (found !== undefined) finish(() => resolve(found));
        else if (exited || this.child.exitCode !== null || this.child.signalCode !== null)
          finish(() =>
            reject(
              new Error(`${this.child.spawnfile} exited before the expected line: ${this.stderrTail.trim()}`),
            ),
          );
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`${this.child.spawnfile}: no expected line within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Closes the child's stdin, which the bench programs take as "stop". */
  closeStdin(): void {
    this.child.stdin?.end();
  }

  /** Waits for the child to end; after `timeoutMs` it is killed (SIGKILL) and the wait goes on. */
  async waitForExit(timeoutMs: number): Promise<ProcessExit> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the child (SIGTERM, then SIGKILL after `graceMs`) and waits for it. */
  async stop(graceMs = 2000): Promise<ProcessExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.waitForExit(graceMs);
  }
}

/** The last stdout line that parses as a JSON object: the summary every bench program prints on exit. */
export function lastJsonLine<T>(exit: ProcessExit, program: string): T {
  for (let i = exit.lines.length - 1; i >= 0; i--) {
    const line = exit.lines[i].trim();
    if (line.startsWith('{')) return JSON.parse(line) as T;
  }
  throw new Error(`${program} printed no summary (exit ${exit.code ?? exit.signal}): ${exit.stderr.trim()}`);
}
