import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ), asked once. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface ProcEntry {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks: with the children's share, a child that exits is not lost. */
  ticks: number;
}

function readEntry(pid: number): ProcEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces or parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // proc(5): ppid is field 4, utime..cstime are fields 14..17 (here indices 1 and 11..14).
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    return { pid, ppid: Number(fields[1]), ticks: utime + stime + cutime + cstime };
  } catch {
    return undefined; // exited while we walked
  }
}

function executable(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

/**
 * CPU seconds used so far by every Chromium process started by this Node process (the browser, its zygotes,
 * GPU/utility/network services, renderers), found by walking /proc: playwright does not expose the browser's
 * pid. mediasoup workers, also our children, are not Chromium and are left out.
 *
 * Each process counts its own time plus that of its exited children (cutime/cstime), so renderers that end
 * between two readings still show in the difference. Resolution: one clock tick (10 ms).
 */
export function chromiumCpuSeconds(ancestor = process.pid): { seconds: number; processes: number } {
  const entries = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readEntry(Number(name)))
    .filter((e): e is ProcEntry => e !== undefined);
  const children = new Map<number, ProcEntry[]>();
  for (const entry of entries) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
  let ticks = 0;
  let processes = 0;
  const visit = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (/\/chromium\//.test(executable(child.pid))) {
        ticks += child.ticks;
        processes++;
      }
      visit(child.pid);
    }
  };
  visit(ancestor);
  return { seconds: ticks / CLOCK_TICKS, processes };
}
