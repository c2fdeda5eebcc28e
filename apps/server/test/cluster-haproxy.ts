import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The production template (docs/deployment.md), rendered here with this machine's ports. */
const TEMPLATE = new URL('../../../deploy/haproxy.cfg', import.meta.url);

export interface Backend {
  name: string;
  /** `host:port` of the instance's plain-HTTP listener. */
  address: string;
}

/**
 * deploy/haproxy.cfg with `bind` on `listen`, the `server` lines replaced by `backends` (their
 * options kept from `default-server`), the stats socket at `statsSocket`, and the lines only a
 * root install with a chroot can run left out.
 */
export function renderHaproxyConfig(opts: {
  listen: string;
  backends: Backend[];
  statsSocket: string;
}): string {
  const out: string[] = [];
  let serversWritten = false;
  for (const line of readFileSync(TEMPLATE, 'utf8').split('\n')) {
    const indent = /^\s*/.exec(line)?.[0] ?? '';
    if (/#\s*production\s*$/.test(line)) continue;
    if (/#\s*bind\s*$/.test(line)) {
      out.push(`${indent}bind ${opts.listen}`);
    } else if (/#\s*server\s*$/.test(line)) {
      if (serversWritten) continue;
      serversWritten = true;
      for (const b of opts.backends) out.push(`${indent}server ${b.name} ${b.address}`);
    } else if (/^\s*stats socket /.test(line)) {
      out.push(`${indent}stats socket ${opts.statsSocket} mode 600 level admin`);
    } else {
      out.push(line);
    }
  }
  if (!serversWritten) throw new Error('deploy/haproxy.cfg has no "# server" lines to replace');
  return out.join('\n');
}

/** A free TCP port on 127.0.0.1 (closed again at once, for a process that binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One HAProxy process (Debian's `haproxy`) in front of `backends`, in the foreground. */
export class Haproxy {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly statsSocket: string,
    /** `http://127.0.0.1:<port>`. */
    readonly url: string,
    readonly log: string[],
  ) {}

  static async start(backends: Backend[], binary = '/usr/sbin/haproxy'): Promise<Haproxy> {
    const dir = mkdtempSync(join(tmpdir(), 'decentra-haproxy-'));
    const statsSocket = join(dir, 'admin.sock');
    const port = await freePort();
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, renderHaproxyConfig({ listen: `127.0.0.1:${port}`, backends, statsSocket }));
    // -db: in the foreground, one process, ended by SIGTERM to this pid.
    const child = spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    for (const stream of [child.stdout, child.stderr])
      stream
        ?.setEncoding('utf8')
        .on('data', (chunk: string) => log.push(...chunk.split('\n').filter(Boolean)));
    const proxy = new Haproxy(child, dir, statsSocket, `http://127.0.0.1:${port}`, log);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`haproxy exited ${code}: ${log.join('\n')}`))),
    );
    exited.catch(() => {});
    await Promise.race([proxy.waitUntilUp(backends.map((b) => b.name)), exited]);
    return proxy;
  }

  /** One command on the stats socket (`show stat`, `show servers state`…), its answer. */
  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(this.statsSocket);
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        answer += chunk;
      });
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.on('connect', () => socket.end(`${line}\n`));
    });
  }

  /** Per backend server: its status (`UP`, `DOWN`…) and its current connections. */
  async servers(): Promise<Map<string, { status: string; current: number }>> {
    const csv = await this.command('show stat');
    const [header, ...rows] = csv.split('\n').filter((l) => l.length > 0);
    const columns = (header ?? '').replace(/^# /, '').split(',');
    const at = (name: string) => columns.indexOf(name);
    const result = new Map<string, { status: string; current: number }>();
    for (const row of rows) {
      const f = row.split(',');
      if (f[at('pxname')] !== 'decentra_instances') continue;
      const sv = f[at('svname')] ?? '';
      if (sv === 'BACKEND' || sv === 'FRONTEND') continue;
      result.set(sv, { status: f[at('status')] ?? '', current: Number(f[at('scur')]) });
    }
    return result;
  }

  /** Resolves once every named server passed its health checks (polls the stats socket). */
  async waitUntilUp(names: string[], timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const servers = await this.servers().catch(() => new Map<string, { status: string }>());
      if (names.every((n) => servers.get(n)?.status === 'UP')) return;
      if (Date.now() > until)
        throw new Error(`haproxy: backends not up in ${timeoutMs} ms: ${JSON.stringify([...servers])}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await gone;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
