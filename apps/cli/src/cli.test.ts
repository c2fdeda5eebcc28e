import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/src/infra/logger.js';
import { selfSignedCertificate } from '../../server/src/infra/tls.js';
import { type Person, people, serverWith, textChannelOf } from '../../server/test/people.js';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

/** What `npm run cli` and the decentra-cli bin run; built (if out of date) before the tests. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const BUILD = fileURLToPath(new URL('../../../scripts/build.mjs', import.meta.url));

beforeAll(() => {
  expect(spawnSync(process.execPath, [BUILD, 'cli'], { stdio: 'inherit' }).status).toBe(0);
});

/** The real terminal client as a child process: lines in on stdin, lines out on stdout. */
class Terminal {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(serverUrl: string, args: string[] = []) {
    this.child = spawn(process.execPath, [MAIN, '--server', serverUrl, ...args], {
      env: { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'cli-')) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => this.lines.push(...chunk.split('\n').filter(Boolean)));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  type(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((l) => pattern.test(l));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${this.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(): void {
    this.child.kill();
  }
}

let server: TestServer;
let owner: Person;
let friend: Person;
let channel: string;
let terminal: Terminal;

beforeAll(async () => {
  server = await startTestServer();
  [owner, friend] = await people(server.url, ['termuser', 'friend']);
  channel = textChannelOf(await serverWith(owner, 'Terminal club', [friend]));
  await friend.rest.sendMessage({ channelId: channel, content: 'an earlier message' });
  terminal = new Terminal(server.url);
});
afterAll(async () => {
  terminal.kill();
  await server.close();
});

describe('terminal client', () => {
  it('logs in, lists servers, opens a channel with its history, and chats live both ways', async () => {
    await terminal.waitFor(/Type \/help/);
    terminal.type('/login termuser password123');
    await terminal.waitFor(/Logged in as termuser\. 1 server/);
    terminal.type('/servers');
    await terminal.waitFor(/^Terminal club/);
    await terminal.waitFor(/#general/);
    terminal.type('/open #general');
    await terminal.waitFor(/— #general —/);
    await terminal.waitFor(/friend: an earlier message/);

    await friend.rest.sendMessage({ channelId: channel, content: 'hello terminal' });
    await terminal.waitFor(/friend: hello terminal/);

    terminal.type('hi from the shell');
    const deadline = Date.now() + 10_000;
    let contents: string[] = [];
    while (!contents.includes('hi from the shell') && Date.now() < deadline) {
      contents = (await friend.rest.listMessages({ channelId: channel })).map((m) => m.content);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(contents).toContain('hi from the shell');
    await terminal.waitFor(/termuser: hi from the shell/);
  });

  it('shows escape sequences in messages as text, never to the terminal', async () => {
    await friend.rest.sendMessage({ channelId: channel, content: 'look \u001b[2J\u001b[31mred' });
    const line = await terminal.waitFor(/friend: look/);
    expect(line).toContain('\\x1b[2J\\x1b[31mred');
    expect(line).not.toContain('\u001b');
  });

  it('explains mistakes and quits cleanly', async () => {
    terminal.type('/frobnicate');
    await terminal.waitFor(/Unknown command \/frobnicate/);
    terminal.type('/open #nowhere');
    await terminal.waitFor(/No channel #nowhere/);
    terminal.type('/quit');
    expect(await terminal.exited).toBe(0);
  });
});

describe("trusting the server's certificate", () => {
  let tlsServer: TestServer;
  let cert: string;
  let otherCertFile: string;

  beforeAll(async () => {
    tlsServer = await startTestServer({ config: { tls: { mode: 'self-signed' } } });
    cert = join(tlsServer.db.dataDir, 'tls', 'cert.pem');
    // Another server's certificate: the same kind, for the same names, but not this server's.
    const otherDir = mkdtempSync(join(tmpdir(), 'other-cert-'));
    await selfSignedCertificate(otherDir, createLogger('silent'));
    otherCertFile = join(otherDir, 'cert.pem');
  });
  afterAll(() => tlsServer.close());

  async function session(args: string[], commands: string[], expected: RegExp): Promise<Terminal> {
    const t = new Terminal(tlsServer.url, args);
    await t.waitFor(/Type \/help/);
    for (const line of commands) t.type(line);
    await t.waitFor(expected);
    t.type('/quit');
    expect(await t.exited).toBe(0);
    return t;
  }

  it('connects over HTTPS and the gateway with --ca and the certificate from the data folder', async () => {
    expect(tlsServer.url).toMatch(/^https:/);
    const t = await session(['--ca', cert], ['/signup tlsuser password123'], /Logged in as tlsuser/);
    // Trust is the CLI's own: nothing is turned off for the process, so Node prints no TLS warning.
    expect(t.stderr).toBe('');
  });

  it('refuses a certificate it was not told to trust, saying why and what to do', async () => {
    const wrong = await session(
      ['--ca', otherCertFile],
      ['/login tlsuser password123'],
      /certificate is not trusted/,
    );
    expect(wrong.lines.join('\n')).toMatch(
      new RegExp(
        `! Could not reach the server: the server's certificate is not trusted by --ca ${otherCertFile}`,
      ),
    );
    expect(wrong.lines.join('\n')).not.toMatch(/Logged in/);

    const none = await session([], ['/login tlsuser password123'], /certificate is not trusted/);
    expect(none.lines.join('\n')).toMatch(
      /not trusted by this system .*--ca <its data folder>\/tls\/cert\.pem/,
    );
  });

  it('accepts exactly the pinned certificate with --fingerprint', async () => {
    const fingerprint = new X509Certificate(readFileSync(cert)).fingerprint256;
    await session(['--fingerprint', fingerprint], ['/login tlsuser password123'], /Logged in as tlsuser/);

    const other = new X509Certificate(readFileSync(otherCertFile)).fingerprint256;
    const refused = await session(
      ['--fingerprint', other.replaceAll(':', '').toLowerCase()],
      ['/login tlsuser password123'],
      /does not match --fingerprint/,
    );
    expect(refused.lines.join('\n')).not.toMatch(/Logged in/);
  });

  it('explains a bad option before connecting', async () => {
    const t = new Terminal(tlsServer.url, ['--ca', join(tmpdir(), 'no-such-file.pem')]);
    expect(await t.exited).toBe(2);
    expect(t.stderr).toMatch(/--ca .*no-such-file\.pem: cannot read it \(ENOENT\)/);
  });
});
