import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from './logger.js';

export interface TlsMaterial {
  cert: string;
  key: string;
}

const CERT_DAYS = 365;
/** Renew a little before the end so a long-running server is not caught by the expiry. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;

export async function loadTls(
  config: Config,
  log: Logger,
  now = new Date(),
): Promise<TlsMaterial | undefined> {
  if (config.tls.mode === 'off') return undefined;
  if (config.tls.mode === 'files') {
    return { cert: readFileSync(config.tls.certFile, 'utf8'), key: readFileSync(config.tls.keyFile, 'utf8') };
  }
  return selfSignedCertificate(join(config.dataDir, 'tls'), log, now);
}

export async function selfSignedCertificate(
  dir: string,
  log: Logger,
  now = new Date(),
): Promise<TlsMaterial> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const existing = readExisting(certFile, keyFile);
  if (existing && new Date(existing.validTo).getTime() - RENEW_BEFORE_MS > now.getTime()) {
    return { cert: existing.cert, key: existing.key };
  }
  const host = hostname();
  const names = [...new Set(['localhost', host])];
  // Loaded only when a certificate has to be made (most starts reuse the one on disk).
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + CERT_DAYS * 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
          { type: 7 as const, ip: '::1' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert);
  log.info(
    { certFile, names, renewed: existing !== undefined },
    existing ? 'renewed the self-signed TLS certificate' : 'made a self-signed TLS certificate',
  );
  return { cert: pems.cert, key: pems.private };
}

function readExisting(certFile: string, keyFile: string): (TlsMaterial & { validTo: string }) | undefined {
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    return { cert, key, validTo: new X509Certificate(cert).validTo };
  } catch {
    return undefined;
  }
}
