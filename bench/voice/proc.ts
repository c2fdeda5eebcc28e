/**
 * CPU time from /proc (Linux) for the voice bench: a process tree's (a Chromium and everything it
 * started), by the kind of Chromium process, and the whole machine's.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** One process's CPU so far. */
interface ProcCpu {
  pid: number;
  /** Chromium's `--type=` (renderer, zygote, gpu-process), the utility's service, or `browser`. */
  kind: string;
  /** Its own user + system time. */
  self: number;
  /** The same plus that of the children it has reaped (cutime + cstime). */
  withChildren: number;
}

function kindOf(pid: number): string {
  try {
    // Chromium rewrites its children's command lines (setproctitle): arguments may be space-separated.
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const sub = args.find((a) => a.startsWith('--utility-sub-type='));
    if (sub)
      return (
        sub
          .slice('--utility-sub-type='.length)
          .replace(/\.mojom\./, ' ')
          .split(' ')[0] ?? 'utility'
      );
    const type = args.find((a) => a.startsWith('--type='));
    return type ? type.slice('--type='.length) : 'browser';
  } catch {
    return 'gone';
  }
}

/**
 * The process and its descendants (children listed in /proc/<pid>/task/<tid>/children), with
 * their CPU seconds from /proc/<pid>/stat.
 */
function treeCpu(root: number): ProcCpu[] {
  const out: ProcCpu[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14–17 of stat(5), counted after the name: utime, stime, cutime, cstime.
      const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i] ?? 0) / CLK_TCK);
      const self = (utime ?? 0) + (stime ?? 0);
      out.push({ pid, kind: kindOf(pid), self, withChildren: self + (cutime ?? 0) + (cstime ?? 0) });
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
        if (children) queue.push(...children.split(' ').map(Number));
      }
    } catch {
      // It ended while we looked.
    }
  }
  return out;
}

/** Busy and total jiffies of all CPUs together (the `cpu` line of /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  // idle and iowait are the 4th and 5th values.
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuWindow {
  /** The tree's CPU over the window as a percentage of one core. */
  percent: number;
  /** By kind of process (renderer, audio, network, browser, …, `ended`), largest first. */
  byKind: [string, number][];
  /** The whole machine's busy share over the window, as a percentage of all its cores. */
  machinePercent: number;
  /** This Node process (the in-process server and the Playwright driver), % of one core. */
  nodePercent: number;
  ms: number;
}

/**
 * Starts measuring the tree under `root`; the returned function ends the window. The total is the
 * sum of utime + stime + cutime + cstime at the end minus that at the start: a child that ends and
 * is reaped inside the window moves its time into its parent's c-fields, so it is neither lost nor
 * counted twice. By kind, each process's own time over the window (new ones from zero); what the
 * kinds leave of the total is the processes that ended meanwhile, shown as `ended`.
 */
export function cpuWindow(root: number): () => CpuWindow {
  const start = treeCpu(root);
  const startTotal = start.reduce((sum, p) => sum + p.withChildren, 0);
  const startSelf = new Map(start.map((p) => [p.pid, p.self]));
  const machine = machineTicks();
  const node = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const ms = performance.now() - t0;
    const end = treeCpu(root);
    const machineEnd = machineTicks();
    const nodeUsed = process.cpuUsage(node);
    const pct = (s: number) => (100 * s * 1000) / ms;
    const total = end.reduce((sum, p) => sum + p.withChildren, 0) - startTotal;
    const kinds = new Map<string, number>();
    for (const p of end) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + p.self - (startSelf.get(p.pid) ?? 0));
    const ended = total - [...kinds.values()].reduce((a, b) => a + b, 0);
    if (ended > 0) kinds.set('ended', ended);
    return {
      percent: pct(total),
      byKind: [...kinds].map(([k, v]): [string, number] => [k, pct(v)]).sort((a, b) => b[1] - a[1]),
      machinePercent:
        (100 * (machineEnd.busy - machine.busy)) / Math.max(1, machineEnd.total - machine.total),
      nodePercent: pct((nodeUsed.user + nodeUsed.system) / 1e6),
      ms,
    };
  };
}
