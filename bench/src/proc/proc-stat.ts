import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** /proc reports utime and stime in USER_HZ ticks, which Linux fixes at 100 per second for user space. */
export const USER_HZ = 100;

/** CPU time of a process: user and system, all threads, from /proc/<pid>/stat (proc(5) fields 14 and 15). */
export function parseCpuSeconds(statLine: string): number {
  // The command name (field 2) is parenthesized and may hold spaces or parentheses: split after the last ')'.
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error('unexpected /proc/<pid>/stat format');
  return (utime + stime) / USER_HZ;
}

/** Resident set size in bytes from the VmRSS line of /proc/<pid>/status. */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error('no VmRSS in /proc/<pid>/status');
  return Number(match[1]) * 1024;
}

/** CPU seconds used so far by `pid` (user + system, all its threads). */
export function readCpuSeconds(pid: number): number {
  return parseCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** Current resident set size of `pid` in bytes. */
export function readRssBytes(pid: number): number {
  return parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** Scheduler times of a thread or process, in seconds. */
export interface SchedTimes {
  /** Time on a CPU. */
  run: number;
  /** Time runnable but waiting for a CPU: what other work (or a saturated core) cost it. */
  wait: number;
}

/** The first two fields of /proc/<pid>/task/<tid>/schedstat (ns on a CPU, ns waiting on a run queue). */
export function parseSchedstat(schedstat: string): SchedTimes {
  const [run, wait] = schedstat.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(run) || !Number.isFinite(wait)) throw new Error('unexpected schedstat format');
  return { run: run / 1e9, wait: wait / 1e9 };
}

/**
 * Scheduler times of `pid` summed over its live threads, with nanosecond resolution. `run` is the same quantity as
 * utime + stime, without the 10 ms tick rounding that blurs short windows.
 */
export function readSchedTimes(pid: number): SchedTimes {
  return readdirSync(`/proc/${pid}/task`).reduce<SchedTimes>(
    (acc, tid) => {
      const times = parseSchedstat(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8'));
      return { run: acc.run + times.run, wait: acc.wait + times.wait };
    },
    { run: 0, wait: 0 },
  );
}

/** Busy (running anything), stolen (by the hypervisor) and total time of each CPU from /proc/stat, in seconds. */
export function parseCpuTimes(stat: string): Map<number, { busy: number; steal: number; total: number }> {
  const cpus = new Map<number, { busy: number; steal: number; total: number }>();
  for (const line of stat.split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = match[2].split(/\s+/).map(Number);
    const total = user + nice + system + idle + iowait + irq + softirq + (steal || 0);
    cpus.set(Number(match[1]), {
      busy: (total - idle - iowait - (steal || 0)) / USER_HZ,
      steal: (steal || 0) / USER_HZ,
      total: total / USER_HZ,
    });
  }
  return cpus;
}

/** Per-CPU busy, steal and total seconds since boot. */
export function readCpuTimes(): Map<number, { busy: number; steal: number; total: number }> {
  return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
}

/** The executable `pid` runs, or "" once it is gone. */
export function readExecutable(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}
