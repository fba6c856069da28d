import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** Session ID of a process from its /proc/<pid>/stat line (proc(5) field 6). */
export function parseSessionId(statLine: string): number {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const sid = Number(fields[3]);
  if (!Number.isInteger(sid)) throw new Error('unexpected /proc/<pid>/stat format');
  return sid;
}

/** True when this process leads its session, and so its own scheduler autogroup. */
export function leadsOwnSession(): boolean {
  return parseSessionId(readFileSync('/proc/self/stat', 'utf8')) === process.pid;
}

/**
 * Runs this very command again as the leader of a new session and resolves with its exit code. With scheduler
 * autogroups (sched_autogroup_enabled), nice values only weigh within a session's group; a session of our own
 * lets the run raise its group's priority without touching the caller's shell. Signals are passed on.
 */
export function rerunInOwnSession(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, forward);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, forward);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** Sets the nice value of this process's autogroup; false when autogroups are off or the kernel refuses. */
export function setAutogroupNice(nice: number): boolean {
  try {
    writeFileSync('/proc/self/autogroup', String(nice));
    return /nice -?\d+/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[0] === `nice ${nice}`;
  } catch {
    return false;
  }
}
