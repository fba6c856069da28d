import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

/**
 * Where and how urgently a process runs. On a shared machine the target and the generator run at nice −20 so other
 * people's work on their cores does not become the bottleneck; the sender, which mostly sleeps, runs SCHED_FIFO
 * so its pacing is not delayed behind the receiver on the same core.
 */
export interface Placement {
  /** taskset CPU list, e.g. "1". */
  cpus: string;
  priority: 'normal' | 'high' | 'realtime';
}

const HIGH_NICE = '-20';
const REALTIME_PRIORITY = '1';

/** The command line that starts `command` with `placement`. */
export function placedCommand(
  placement: Placement,
  command: string,
  args: readonly string[],
): [string, string[]] {
  const pinned = ['-c', placement.cpus, command, ...args];
  switch (placement.priority) {
    case 'normal':
      return ['taskset', pinned];
    case 'high':
      return ['nice', ['-n', HIGH_NICE, 'taskset', ...pinned]];
    case 'realtime':
      return ['chrt', ['-f', REALTIME_PRIORITY, 'taskset', ...pinned]];
  }
}

/** Applies `placement` to every thread of a running process (CPU affinity; nice for `high`). */
export function placeProcess(pid: number, placement: Placement): void {
  execFileSync('taskset', ['-a', '-p', '-c', placement.cpus, String(pid)], { stdio: 'ignore' });
  if (placement.priority === 'normal') return;
  // nice is per thread on Linux: renice each one.
  const tids = readdirSync(`/proc/${pid}/task`);
  execFileSync('renice', ['-n', HIGH_NICE, '-p', ...tids], { stdio: 'ignore' });
}
