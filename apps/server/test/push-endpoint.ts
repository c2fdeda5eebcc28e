import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  type ECDH,
  hkdfSync,
  randomBytes,
  verify,
} from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { PushPayload, PushSubscriptionBody } from '@decentra/protocol';
import { PushPayloadSchema } from '@decentra/protocol';
import { privateCaCertificate } from './mail-server.js';

const HOLD = 0;

/** One POST a push service received. */
export interface ReceivedPush {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A browser's side of Web Push: its subscription keys (ECDH P-256 + 16 random auth bytes, as a
 * browser makes them) and the means to read what was encrypted for it (RFC 8291, aes128gcm).
 */
export class TestBrowser {
  readonly ecdh: ECDH = createECDH('prime256v1');
  readonly auth = randomBytes(16);

  constructor(readonly endpoint: string) {
    this.ecdh.generateKeys();
  }

  subscription(): PushSubscriptionBody {
    return {
      endpoint: this.endpoint,
      keys: { p256dh: this.ecdh.getPublicKey().toString('base64url'), auth: this.auth.toString('base64url') },
    };
  }

  /** Decrypts an aes128gcm body (RFC 8188 header, one record) and parses the push's JSON. */
  decrypt(body: Buffer): PushPayload {
    const salt = body.subarray(0, 16);
    const idLength = body.readUInt8(20);
    const serverPublic = body.subarray(21, 21 + idLength);
    const record = body.subarray(21 + idLength);
    const shared = this.ecdh.computeSecret(serverPublic);
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), this.ecdh.getPublicKey(), serverPublic]);
    const ikm = Buffer.from(hkdfSync('sha256', shared, this.auth, keyInfo, 32));
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, 'Content-Encoding: aes128gcm\0', 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, 'Content-Encoding: nonce\0', 12));
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (padded[end] !== 2) throw new Error('not the last record of an aes128gcm body');
    return PushPayloadSchema.parse(JSON.parse(padded.subarray(0, end).toString('utf8')));
  }
}

/** A VAPID JWT's claims, after its ES256 signature was checked against `k`. */
export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/** Reads `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292), verifying the signature with `k`. */
export function verifyVapid(header: string | undefined): { key: string; claims: VapidClaims } {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? '');
  if (!match?.[1] || !match[2]) throw new Error(`not a VAPID authorization: ${header}`);
  const [jwt, key] = [match[1], match[2]];
  const [head = '', claims = '', signature = ''] = jwt.split('.');
  const point = Buffer.from(key, 'base64url');
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const header_ = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as {
    alg?: string;
    typ?: string;
  };
  if (header_.alg !== 'ES256') throw new Error(`VAPID JWT alg ${header_.alg}`);
  const valid = verify(
    'sha256',
    Buffer.from(`${head}.${claims}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) throw new Error('the VAPID JWT signature does not verify with k');
  return { key, claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as VapidClaims };
}

/**
 * A push service on loopback over HTTPS (a certificate from a private CA, which the server under
 * test is told to trust): keeps every POST, answers 201, or another status per path.
 */
export class TestPushService {
  readonly received: ReceivedPush[] = [];
  private readonly statuses = new Map<string, number>();
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    readonly caPem: string,
  ) {}

  static async start(): Promise<TestPushService> {
    const { caPem, key, cert } = await privateCaCertificate();
    let service: TestPushService | undefined;
    const server = createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        service?.receive({ path, headers: req.headers, body: Buffer.concat(chunks) });
        const status = service?.statuses.get(path) ?? 201;
        if (status === HOLD) return;
        res.statusCode = status;
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    service = new TestPushService(server, `https://127.0.0.1:${port}`, caPem);
    return service;
  }

  /** A browser subscribed at a fresh endpoint of this service. */
  browser(): TestBrowser {
    return new TestBrowser(`${this.origin}/push/${randomBytes(8).toString('hex')}`);
  }

  /** Answer this status to every push to the endpoint from now on (404/410: "gone"). */
  answer(endpoint: string, status: number): void {
    this.statuses.set(new URL(endpoint).pathname, status);
  }

  /** Never answer pushes to the endpoint (a push service that hangs). */
  hold(endpoint: string): void {
    this.statuses.set(new URL(endpoint).pathname, HOLD);
  }

  /** The pushes received for an endpoint so far. */
  pushesTo(endpoint: string): ReceivedPush[] {
    const path = new URL(endpoint).pathname;
    return this.received.filter((p) => p.path === path);
  }

  /** Waits for the `count`-th push (1-based) to the endpoint, already received or still to come. */
  async nthPushTo(endpoint: string, count: number, timeoutMs = 10_000): Promise<ReceivedPush> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.pushesTo(endpoint)[count - 1];
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`push ${count} to ${endpoint} did not arrive`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(push: ReceivedPush): void {
    this.received.push(push);
    for (const w of this.waiters.splice(0)) w();
  }
}
