import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Decentra started as its own process (the source entry point through tsx, or the built
 * bundle), for tests of what only a real process shows: start-up errors, signals, kill -9.
 * Every child is killed by `killAll` (call it in afterAll).
 */
export class SpawnedServers {
  private readonly children = new Set<ChildProcess>();

  constructor(
    /** `node` arguments that run the server, e.g. `['--import', 'tsx', 'src/main.ts']`. */
    private readonly args: readonly string[],
    private readonly cwd: string,
  ) {}

  run(env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [...this.args], {
      cwd: this.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        HOST: '127.0.0.1',
        PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Starts one and resolves once it logs the address it listens on. */
  start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; stdout: string[] }> {
    const child = this.run(env);
    const stdout: string[] = [];
    let stderr = '';
    return new Promise((resolve, reject) => {
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.split('\n').filter(Boolean)) {
          stdout.push(line);
          const url = /Decentra is listening on (\S+)"/.exec(line)?.[1];
          if (url) resolve({ child, url, stdout });
        }
      });
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('exit', (code) =>
        reject(new Error(`exited ${code} before listening: ${stderr}${stdout.join('\n')}`)),
      );
    });
  }

  killAll(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }
}

/** The exit code of a child, now or when it exits. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}
