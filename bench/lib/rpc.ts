/**
 * Parent <-> child plumbing for the bench: every server and load generator runs in its own
 * process (`node --import tsx <file>`), driven over the IPC channel by request/answer messages.
 * Every child is registered and killed when the parent exits, crashes or is interrupted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const REPO_DIR = new URL('../../', import.meta.url).pathname;

interface Request {
  rpc: number;
  cmd: string;
  args: unknown;
}
interface Answer {
  rpc: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export class Child {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly exited: Promise<number | null>;
  readonly ready: Promise<Record<string, unknown>>;

  private constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    let onReady: (v: Record<string, unknown>) => void = () => {};
    let onFail: (e: Error) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    this.ready.catch(() => {});
    proc.on('message', (raw) => {
      const m = raw as Answer & { ready?: Record<string, unknown> };
      if (m.ready) {
        onReady(m.ready);
        return;
      }
      const p = this.pending.get(m.rpc);
      if (!p) return;
      this.pending.delete(m.rpc);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${name}: ${m.error}`));
    });
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code) => {
        children.delete(proc);
        const err = new Error(`${name} exited (code ${code})`);
        onFail(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve(code);
      });
    });
  }

  /** Starts `file` (relative to the repo) under tsx with extra node flags; waits for its `ready`. */
  static async start(
    name: string,
    file: string,
    opts: { nodeArgs?: string[]; env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<{ child: Child; info: Record<string, unknown> }> {
    const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', file], {
      cwd: REPO_DIR,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(proc);
    const child = new Child(name, proc);
    const info = await withTimeout(child.ready, opts.timeoutMs ?? 120_000, `${name} start`).catch((err) => {
      child.kill();
      throw err;
    });
    return { child, info };
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  call<T>(cmd: string, args: unknown = {}, timeoutMs = 60_000): Promise<T> {
    const rpc = this.next++;
    const answer = new Promise<unknown>((resolve, reject) => {
      this.pending.set(rpc, { resolve, reject });
      this.proc.send({ rpc, cmd, args } satisfies Request);
    });
    return withTimeout(answer, timeoutMs, `${this.name} ${cmd}`) as Promise<T>;
  }

  /** Asks the child to shut down cleanly (needed for --cpu-prof to write); kills it if it dawdles. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.call('shutdown', {}, timeoutMs).catch(() => {});
    const done = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!done) this.kill();
    await this.exited;
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

/** The child side: answers requests with `handlers`, tells the parent it is ready. */
export function serve(handlers: Record<string, (args: never) => unknown>): {
  ready(info: Record<string, unknown>): void;
} {
  process.on('message', async (raw) => {
    const { rpc, cmd, args } = raw as Request;
    const handler = handlers[cmd];
    try {
      if (!handler) throw new Error(`unknown command ${cmd}`);
      const result = await handler(args as never);
      process.send?.({ rpc, ok: true, result } satisfies Answer);
    } catch (err) {
      process.send?.({ rpc, ok: false, error: (err as Error).stack ?? String(err) } satisfies Answer);
    }
  });
  // The parent is gone: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  return { ready: (info) => process.send?.({ ready: info }) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** CPU seconds (user + system) and memory of a process, from /proc. */
export function procStats(pid: number): { cpuS: number; rssMB: number; hwmMB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuS: ticks / 100, rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}
