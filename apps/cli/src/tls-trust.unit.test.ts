import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger } from '../../server/src/infra/logger.js';
import { selfSignedCertificate, type TlsMaterial } from '../../server/src/infra/tls.js';
import { type TrustChoice, TrustOptionError, trustedTransport } from './tls-trust.js';

/** An HTTPS + WebSocket server with a self-signed certificate that counts what reached it. */
let server: Server;
let url: string;
let mine: TlsMaterial & { file: string; fingerprint: string };
let other: TlsMaterial & { file: string; fingerprint: string };
const seen = { requests: 0, upgrades: 0 };

async function certificate(): Promise<TlsMaterial & { file: string; fingerprint: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'trust-'));
  const material = await selfSignedCertificate(dir, createLogger('silent'));
  return {
    ...material,
    file: join(dir, 'cert.pem'),
    fingerprint: new X509Certificate(material.cert).fingerprint256,
  };
}

beforeAll(async () => {
  [mine, other] = await Promise.all([certificate(), certificate()]);
  server = createServer({ cert: mine.cert, key: mine.key }, (_req, res) => {
    seen.requests++;
    res.end('ok');
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    seen.upgrades++;
    wss.handleUpgrade(req, socket, head, (ws) => ws.close(1000));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Resolves with the outcome of one REST call and one gateway socket under `choice`. */
async function tryBoth(choice: TrustChoice): Promise<{ rest: string; gateway: string }> {
  const transport = trustedTransport(choice, url);
  const rest = await transport.fetch(`${url}/healthz`).then(
    (res) => `ok ${res.status}`,
    (err: Error) => `${err.name}: ${err.message}`,
  );
  const gateway = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`${url.replace('https', 'wss')}/ws`, transport.webSocket);
    ws.once('open', () => resolve('open'));
    ws.once('error', (err) => resolve(`${err.name}: ${err.message}`));
  });
  await transport.close();
  return { rest, gateway };
}

describe('the terminal client trusts certificates as told, for its own connections only', () => {
  it('connects to the certificate given with --ca, or pinned with --fingerprint, or with --insecure', async () => {
    expect(await tryBoth({ caFile: mine.file })).toEqual({ rest: 'ok 200', gateway: 'open' });
    expect(await tryBoth({ fingerprint: mine.fingerprint })).toEqual({ rest: 'ok 200', gateway: 'open' });
    expect(await tryBoth({ caFile: mine.file, fingerprint: mine.fingerprint })).toEqual({
      rest: 'ok 200',
      gateway: 'open',
    });
    expect(await tryBoth({ insecure: true })).toEqual({ rest: 'ok 200', gateway: 'open' });
    // Nothing was switched off for the process: a plain fetch still refuses the certificate.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('sends nothing, not even the upgrade request, to a server whose certificate is not the one trusted', async () => {
    const before = { ...seen };
    const pinned = await tryBoth({ fingerprint: other.fingerprint });
    expect(pinned.rest).toMatch(
      /^UntrustedServerError: the server's certificate \(SHA-256 [0-9A-F:]{95}\) does not match --fingerprint/,
    );
    expect(pinned.gateway).toMatch(/UntrustedServerError: .*does not match --fingerprint/);

    const byCa = await tryBoth({ caFile: other.file });
    expect(byCa.rest).toMatch(
      /^UntrustedServerError: the server's certificate is not trusted by --ca .*cert\.pem/,
    );
    expect(byCa.gateway).toMatch(/self-signed certificate/);

    const bySystem = await tryBoth({});
    expect(bySystem.rest).toMatch(/not trusted by this system .*--ca <its data folder>\/tls\/cert\.pem/);
    expect(seen).toEqual(before);
  });

  it('refuses contradictory or malformed options with a one-line reason', () => {
    expect(() => trustedTransport({ insecure: true, caFile: mine.file }, url)).toThrow(TrustOptionError);
    expect(() => trustedTransport({ fingerprint: 'abc' }, url)).toThrow(/64 hex digits/);
    expect(() => trustedTransport({ caFile: join(tmpdir(), 'none.pem') }, url)).toThrow(/cannot read it/);
    expect(() => trustedTransport({ caFile: mine.file }, 'http://127.0.0.1:1')).toThrow(/need an https/);
  });
});
