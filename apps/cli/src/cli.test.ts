import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  joinServer,
  makeServer,
  makeUsers,
  send,
  type TestUser,
  textChannel,
} from '../../server/test/factories.js';
import { type Api, api } from '../../server/test/http.js';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** The real terminal client as a child process: lines in on stdin, lines out on stdout. */
class Terminal {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(serverUrl: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--server', serverUrl], {
      env: { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'cli-')) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child.stdout
      ?.setEncoding('utf8')
      .on('data', (chunk: string) => this.lines.push(...chunk.split('\n').filter(Boolean)));
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
let http: Api;
let owner: TestUser;
let friend: TestUser;
let channel: string;
let terminal: Terminal;

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  [owner, friend] = await makeUsers(http, ['termuser', 'friend']);
  const guild = await makeServer(http, owner, 'Terminal club');
  await joinServer(http, guild, owner, [friend]);
  channel = textChannel(guild);
  await send(http, friend, channel, 'an earlier message');
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

    await send(http, friend, channel, 'hello terminal');
    await terminal.waitFor(/friend: hello terminal/);

    terminal.type('hi from the shell');
    const deadline = Date.now() + 10_000;
    let contents: string[] = [];
    while (!contents.includes('hi from the shell') && Date.now() < deadline) {
      contents = (
        await http.get<Message[]>(`/api/channels/${channel}/messages`, { token: friend.token })
      ).body.map((m) => m.content);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(contents).toContain('hi from the shell');
    await terminal.waitFor(/termuser: hi from the shell/);
  });

  it('shows escape sequences in messages as text, never to the terminal', async () => {
    await send(http, friend, channel, 'look \u001b[2J\u001b[31mred');
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
