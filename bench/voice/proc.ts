/**
 * CPU time from /proc (Linux) for the voice bench: a process tree's (a Chromium and everything it
 * started), by the kind of Chromium process, and the whole machine's.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** One process's CPU so far: its own user + system time and that of the children it has reaped. */
interface ProcCpu {
  pid: number;
  /** Chromium's `--type=` (renderer, zygote, gpu-process), the utility's service, or `browser`. */
  kind: string;
  seconds: number;
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
 * The process and its descendants (children listed in /proc/<pid>/task/<tid>/children), each
 * with utime + stime + cutime + cstime: a child that ends and is reaped inside a window moves its
 * time to its parent's c-fields, so the tree's sum does not drop when a process goes away.
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
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
      out.push({ pid, kind: kindOf(pid), seconds: ticks / CLK_TCK });
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
  /** The same by kind of process (renderer, audio, network, browser, …), largest first. */
  byKind: [string, number][];
  /** The whole machine's busy share over the window, as a percentage of all its cores. */
  machinePercent: number;
  /** This Node process (the in-process server and the Playwright driver), % of one core. */
  nodePercent: number;
  ms: number;
}

/** The tree's CPU seconds by kind of process. */
function byKindOf(tree: ProcCpu[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const p of tree) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + p.seconds);
  return kinds;
}

/**
 * Starts measuring the tree under `root`; the returned function ends the window. The figure is the
 * sum at the end minus the sum at the start (not per process: the time of a child reaped meanwhile
 * reappears in its parent's cutime, and is subtracted once as it was counted once).
 */
export function cpuWindow(root: number): () => CpuWindow {
  const start = byKindOf(treeCpu(root));
  const machine = machineTicks();
  const node = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const ms = performance.now() - t0;
    const end = byKindOf(treeCpu(root));
    const machineEnd = machineTicks();
    const nodeUsed = process.cpuUsage(node);
    const pct = (s: number) => (100 * s * 1000) / ms;
    const kinds = new Set([...start.keys(), ...end.keys()]);
    const byKind = [...kinds]
      .map((k): [string, number] => [k, pct((end.get(k) ?? 0) - (start.get(k) ?? 0))])
      .sort((a, b) => b[1] - a[1]);
    return {
      percent: byKind.reduce((sum, [, v]) => sum + v, 0),
      byKind,
      machinePercent:
        (100 * (machineEnd.busy - machine.busy)) / Math.max(1, machineEnd.total - machine.total),
      nodePercent: pct((nodeUsed.user + nodeUsed.system) / 1e6),
      ms,
    };
  };
}
