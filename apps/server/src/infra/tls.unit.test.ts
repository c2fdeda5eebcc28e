import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from './tls.js';

const log = pino({ level: 'silent' });
const DAY = 86_400_000;

describe('self-signed certificate', () => {
  it('is made on first run for localhost, the host name and loopback IPs, valid one year, sha256/EC', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tls-')), 'tls');
    const { cert } = await selfSignedCertificate(dir, log);
    const x = new X509Certificate(cert);
    expect(x.subjectAltName).toContain('DNS:localhost');
    expect(x.subjectAltName).toContain(`DNS:${hostname()}`);
    expect(x.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x.subjectAltName).toMatch(/IP Address:(0:0:0:0:0:0:0:1|::1)/);
    const days = (Date.parse(x.validTo) - Date.parse(x.validFrom)) / DAY;
    expect(Math.round(days)).toBe(365);
    expect(x.publicKey.asymmetricKeyType).toBe('ec');
    expect(x.toLegacyObject().asn1Curve ?? 'prime256v1').toBe('prime256v1');
    expect(statSync(join(dir, 'key.pem')).mode & 0o777).toBe(0o600);
  });

  it('is reused while valid and renewed once expired', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tls-')), 'tls');
    const first = await selfSignedCertificate(dir, log);
    const again = await selfSignedCertificate(dir, log);
    expect(again.cert).toBe(first.cert);
    const nextYear = new Date(Date.now() + 366 * DAY);
    const renewed = await selfSignedCertificate(dir, log, nextYear);
    expect(renewed.cert).not.toBe(first.cert);
    expect(readFileSync(join(dir, 'cert.pem'), 'utf8')).toBe(renewed.cert);
    expect(Date.parse(new X509Certificate(renewed.cert).validTo)).toBeGreaterThan(
      nextYear.getTime() + 300 * DAY,
    );
  });
});
