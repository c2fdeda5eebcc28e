import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classes, Message, makeIntegrityKey, methods, parseMessage } from 'werift-ice';

/** Debian's coturn (`apt-get install coturn`); CI installs it (.ci/run). */
export const TURNSERVER = '/usr/bin/turnserver';
export const haveCoturn = existsSync(TURNSERVER);

const HOST = '127.0.0.1';
/** REQUESTED-TRANSPORT: UDP (17) in the top byte (RFC 8656). */
const UDP_TRANSPORT = 0x11000000;

export interface Coturn {
  port: number;
  realm: string;
  /** The last lines coturn printed (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

/** The `turnserver.conf` that docs/deployment.md gives (its one ```ini block). */
export function documentedConfig(): string {
  const doc = readFileSync(new URL('../../../docs/deployment.md', import.meta.url), 'utf8');
  const block = /```ini\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/deployment.md has no turnserver.conf block');
  return block;
}

/**
 * A real coturn with the documented configuration, moved onto loopback for the test: its
 * listening and relay address, a free port, this secret, no TLS (no certificate here), its state
 * in a folder of its own. Resolves once it answers a STUN Binding request.
 * `relayBetweenLocalClients`: browsers on this machine relay to each other, whose relay addresses
 * are on loopback, which the documented config (rightly) refuses; this allows exactly 127.0.0.1.
 */
export async function startCoturn(
  secret: string,
  options: { relayBetweenLocalClients?: boolean } = {},
): Promise<Coturn> {
  const port = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'decentra-coturn-'));
  const kept = documentedConfig()
    .split('\n')
    .filter((line) => !/^(listening-port|tls-listening-port|static-auth-secret|cert|pkey)=/.test(line));
  const realm = kept.find((line) => line.startsWith('realm='))?.slice('realm='.length) ?? '';
  const config = [
    ...kept,
    `listening-ip=${HOST}`,
    `relay-ip=${HOST}`,
    `listening-port=${port}`,
    `static-auth-secret=${secret}`,
    'no-tls',
    'no-dtls',
    `userdb=${join(dir, 'turndb')}`,
    `pidfile=${join(dir, 'turnserver.pid')}`,
    'log-file=stdout',
    'simple-log',
    'verbose',
    ...(options.relayBetweenLocalClients ? ['allow-loopback-peers', `allowed-peer-ip=${HOST}`] : []),
  ];
  const file = join(dir, 'turnserver.conf');
  writeFileSync(file, `${config.join('\n')}\n`);
  const child = spawn(TURNSERVER, ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await answersBinding(port, child);
  } catch (err) {
    await stop();
    throw new Error(`coturn did not start: ${String(err)}\n${output.join('').slice(-2_000)}`);
  }
  return { port, realm, log: () => output.join('').slice(-3_000), stop };
}

/** coturn's verdict on a request: done, or the STUN error code it answered. */
export type Verdict = { ok: true; message: Message } | { ok: false; errorCode: number };

/**
 * One client's TURN allocation with the long-term credential (RFC 8489 §9.2), over one UDP socket:
 * the first Allocate, without a credential, is answered 401 with the realm and a nonce; the
 * second carries USERNAME, REALM, NONCE and a MESSAGE-INTEGRITY keyed by MD5(username:realm:password).
 * Later requests on the allocation (CreatePermission) are signed the same way.
 */
export class TurnClient {
  private readonly socket = createSocket('udp4');
  private auth: { realm: string; nonce: Buffer; key: Buffer } | undefined;

  constructor(
    private readonly port: number,
    private readonly username: string,
    private readonly password: string,
  ) {}

  async allocate(): Promise<Verdict> {
    const challenge = await exchange(this.socket, this.port, allocateRequest());
    const realm: unknown = challenge.getAttributeValue('REALM');
    const nonce: unknown = challenge.getAttributeValue('NONCE');
    if (typeof realm !== 'string' || !Buffer.isBuffer(nonce))
      throw new Error('no realm and nonce in the 401');
    this.auth = { realm, nonce, key: makeIntegrityKey(this.username, realm, this.password) };
    return this.signed(allocateRequest());
  }

  /**
   * Asks to relay to `ip` (RFC 8656 §9): only installs a permission in the server, nothing is sent
   * to that address. A denied peer address is refused with 403.
   */
  createPermission(ip: string): Promise<Verdict> {
    const request = new Message(methods.CREATE_PERMISSION, classes.REQUEST).setAttribute('XOR-PEER-ADDRESS', [
      ip,
      9,
    ]);
    return this.signed(request);
  }

  close(): void {
    this.socket.close();
  }

  private async signed(request: Message): Promise<Verdict> {
    if (!this.auth) throw new Error('allocate first');
    const { realm, nonce, key } = this.auth;
    request
      .setAttribute('USERNAME', this.username)
      .setAttribute('REALM', realm)
      .setAttribute('NONCE', nonce)
      .addMessageIntegrity(key)
      .addFingerprint();
    const answer = await exchange(this.socket, this.port, request);
    return answer.messageClass === classes.RESPONSE
      ? { ok: true, message: answer }
      : { ok: false, errorCode: errorCodeOf(answer) };
  }
}

/** An Allocate with this credential, on a socket of its own: coturn's verdict. */
export async function allocate(port: number, username: string, password: string): Promise<Verdict> {
  const client = new TurnClient(port, username, password);
  try {
    return await client.allocate();
  } finally {
    client.close();
  }
}

function allocateRequest(): Message {
  return new Message(methods.ALLOCATE, classes.REQUEST).setAttribute('REQUESTED-TRANSPORT', UDP_TRANSPORT);
}

function errorCodeOf(message: Message): number {
  const value: unknown = message.getAttributeValue('ERROR-CODE');
  if (!Array.isArray(value) || typeof value[0] !== 'number')
    throw new Error('an error answer without a code');
  return value[0];
}

/** One request, one answer (loopback loses no datagram); fails after `timeoutMs`. */
function exchange(socket: Socket, port: number, request: Message, timeoutMs = 5_000): Promise<Message> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error('no answer from the TURN server'));
    }, timeoutMs);
    const onMessage = (data: Buffer) => {
      const message = parseMessage(data);
      if (!message || message.transactionIdHex !== request.transactionIdHex) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(message);
    };
    socket.on('message', onMessage);
    socket.send(request.bytes, port, HOST);
  });
}

/** Sends STUN Binding requests until one is answered: the server is up. */
async function answersBinding(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const socket = createSocket('udp4');
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
      try {
        await exchange(socket, port, new Message(methods.BINDING, classes.REQUEST), 200);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
    }
  } finally {
    socket.close();
  }
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, HOST, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
