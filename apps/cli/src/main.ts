import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CliSession } from './session.js';
import { TrustOptionError, trustedTransport } from './tls-trust.js';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: process.env.DECENTRA_SERVER ?? 'https://localhost:8765' },
    token: { type: 'string', default: process.env.DECENTRA_TOKEN },
    ca: { type: 'string', default: process.env.DECENTRA_CA },
    fingerprint: { type: 'string', default: process.env.DECENTRA_FINGERPRINT },
    insecure: { type: 'boolean', default: false },
    'no-save': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`decentra-cli [--server https://host:8765] [--ca FILE | --fingerprint SHA256 | --insecure]
             [--token T] [--no-save]

  --ca FILE            trust the certificates in this PEM file (instead of the system's CAs),
                       e.g. the server's own: <its data folder>/tls/cert.pem
  --fingerprint HEX    accept exactly the certificate with this SHA-256 fingerprint
                       (openssl x509 -in data/tls/cert.pem -noout -fingerprint -sha256)
  --insecure           accept any certificate (no protection against interception)
  --no-save            do not remember the login in ~/.config/decentra/cli.json

Environment: DECENTRA_SERVER, DECENTRA_TOKEN, DECENTRA_CA, DECENTRA_FINGERPRINT.`);
  process.exit(0);
}

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
let transport: ReturnType<typeof trustedTransport>;
try {
  transport = trustedTransport(
    {
      ...(values.ca ? { caFile: values.ca } : {}),
      ...(values.fingerprint ? { fingerprint: values.fingerprint } : {}),
      insecure: values.insecure,
    },
    server,
  );
} catch (err) {
  if (!(err instanceof TrustOptionError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const token = values.token ?? (values['no-save'] ? undefined : savedToken(server));
const session = new CliSession({
  server,
  ...(token ? { token } : {}),
  fetch: transport.fetch,
  webSocket: transport.webSocket,
  print: (line) => console.log(line),
});

if (values.insecure) console.log("! --insecure: the server's certificate is not checked.");
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
