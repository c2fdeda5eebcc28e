#!/usr/bin/env -S node --import tsx
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CliSession } from './session.js';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.DECENTRA_SERVER ?? 'https://localhost:8765' },
    token: { type: 'string', default: process.env.DECENTRA_TOKEN },
    insecure: { type: 'boolean', default: false },
    'no-save': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`decentra-cli [--server https://host:8765] [--token T] [--insecure] [--no-save]

  --insecure   accept the server's self-signed certificate
  --no-save    do not remember the login in ~/.config/decentra/cli.json`);
  process.exit(0);
}

if (values.insecure) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const configFile = join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'decentra', 'cli.json');

function savedToken(server: string): string | undefined {
  try {
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, string>;
    return saved[server];
  } catch {
    return undefined;
  }
}

function saveToken(server: string, token: string | undefined): void {
  if (values['no-save']) return;
  let saved: Record<string, string> = {};
  try {
    saved = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, string>;
  } catch {}
  if (token) saved[server] = token;
  else delete saved[server];
  mkdirSync(dirname(configFile), { recursive: true });
  writeFileSync(configFile, JSON.stringify(saved, null, 2), { mode: 0o600 });
  chmodSync(configFile, 0o600);
}

const server = values.server.replace(/\/$/, '');
const token = values.token ?? (values['no-save'] ? undefined : savedToken(server));
const session = new CliSession({
  server,
  ...(token ? { token } : {}),
  insecure: values.insecure,
  print: (line) => console.log(line),
});

console.log(`Decentra — ${server}. Type /help.`);
await session.resume().catch((err: unknown) => console.log(`! ${(err as Error).message}: /login again`));

const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY });
for await (const line of rl) {
  const before = session.token;
  const keepGoing = await session.handle(line);
  if (session.token !== before) saveToken(server, session.token);
  if (!keepGoing) break;
}
session.close();
process.exit(0);
