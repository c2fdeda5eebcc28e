import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
  stop(): Promise<void>;
}

/**
 * A real coturn on loopback, as docs/deployment.md configures it: TURN REST credentials
 * (`use-auth-secret` with `static-auth-secret`), no TLS, its state in a folder of its own.
 * Resolves once it answers a STUN Binding request.
 */
export async function startCoturn(secret: string): Promise<Coturn> {
  const port = await freeUdpPort();
  const realm = 'decentra.test';
  const dir = mkdtempSync(join(tmpdir(), 'decentra-coturn-'));
  const child = spawn(
    TURNSERVER,
    [
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      `--listening-ip=${HOST}`,
      `--relay-ip=${HOST}`,
      `--listening-port=${port}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      `--realm=${realm}`,
      '--fingerprint',
      `--userdb=${join(dir, 'turndb')}`,
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
  return { port, realm, stop };
}

export type AllocateAnswer = { ok: true; relayed: unknown } | { ok: false; errorCode: number };

/**
 * A TURN Allocate with the long-term credential (RFC 8489 §9.2): the first request, without one,
 * is answered 401 with the realm and a nonce; the second carries USERNAME, REALM, NONCE and a
 * MESSAGE-INTEGRITY keyed by MD5(username:realm:password). Answers coturn's verdict on the second.
 */
export async function allocate(port: number, username: string, password: string): Promise<AllocateAnswer> {
  const socket = createSocket('udp4');
  try {
    const challenge = await exchange(socket, port, allocateRequest());
    const realm: unknown = challenge.getAttributeValue('REALM');
    const nonce: unknown = challenge.getAttributeValue('NONCE');
    if (typeof realm !== 'string' || !Buffer.isBuffer(nonce))
      throw new Error('no realm and nonce in the 401');
    const request = allocateRequest()
      .setAttribute('USERNAME', username)
      .setAttribute('REALM', realm)
      .setAttribute('NONCE', nonce)
      .addMessageIntegrity(makeIntegrityKey(username, realm, password));
    const answer = await exchange(socket, port, request);
    if (answer.messageClass === classes.RESPONSE)
      return { ok: true, relayed: answer.getAttributeValue('XOR-RELAYED-ADDRESS') };
    return { ok: false, errorCode: errorCodeOf(answer) };
  } finally {
    socket.close();
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
