import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api } from '../test/http.js';
import { httpsRequest } from '../test/https-get.js';
import { createTestDatabase } from '../test/test-db.js';
import { startTestServer } from '../test/test-server.js';

describe('restart', () => {
  it('keeps accounts, sessions and invites across a restart', async () => {
    const db = await createTestDatabase();
    const first = await startTestServer({ db });
    const http1 = api(first.url);
    const admin = await http1.post<{ token: string }>('/api/auth/signup', {
      username: 'keeper',
      password: 'password123',
    });
    const code = (await http1.post<{ code: string }>('/api/invites', undefined, { token: admin.body.token }))
      .body.code;
    await first.close({ keepData: true });

    const second = await startTestServer({ db });
    try {
      const http2 = api(second.url);
      expect((await http2.get('/api/users/@me', { token: admin.body.token })).status).toBe(200);
      expect(
        (await http2.post('/api/auth/login', { username: 'keeper', password: 'password123' })).status,
      ).toBe(200);
      const joined = await http2.post('/api/auth/signup', {
        username: 'newcomer',
        password: 'password123',
        inviteCode: code,
      });
      expect(joined.status).toBe(201);
      // Still the only admin: the restart did not reopen the first-account path.
      const third = await http2.post('/api/auth/signup', { username: 'sneaky', password: 'password123' });
      expect(third.status).toBe(403);
    } finally {
      await second.close();
    }
  });
});

describe('HTTPS', () => {
  it('serves over TLS with the self-signed certificate it made, and marks the cookie Secure', async () => {
    const server = await startTestServer({ config: { tls: { mode: 'self-signed' } } });
    try {
      expect(server.url).toMatch(/^https:\/\//);
      const ca = readFileSync(join(server.db.dataDir, 'tls', 'cert.pem'), 'utf8');
      const health = await httpsRequest(`${server.url}/healthz`, ca);
      expect(health.status).toBe(200);
      const signup = await httpsRequest(`${server.url}/api/auth/signup`, ca, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'secure', password: 'password123' }),
      });
      expect(signup.status).toBe(201);
      expect(String(signup.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await server.close();
    }
  });
});

describe('HTTP surface', () => {
  it('sends the security headers and a strict Content-Security-Policy', async () => {
    const server = await startTestServer();
    try {
      const res = await api(server.url).get('/');
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain('frame-src https://www.youtube-nocookie.com');
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');

      const doc = await api(server.url).get<{ openapi: string; paths: Record<string, unknown> }>(
        '/api/openapi.json',
      );
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      for (const path of [
        '/api/auth/signup',
        '/api/auth/login',
        '/api/auth/logout',
        '/api/users/@me',
        '/api/invites',
        '/healthz',
      ]) {
        expect(Object.keys(doc.body.paths)).toContain(path);
      }
      expect((await api(server.url).get('/api/docs/')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
