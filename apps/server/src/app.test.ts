import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RestClient } from '@decentra/client';
import { ROUTES } from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import { api } from '../test/http.js';
import { PASSWORD, refused, restClient } from '../test/people.js';
import { pinnedFetch } from '../test/pinned-fetch.js';
import { createTestDatabase } from '../test/test-db.js';
import { startTestServer } from '../test/test-server.js';

describe('restart', () => {
  it('keeps accounts, sessions and invites across a restart', async () => {
    const db = await createTestDatabase();
    const first = await startTestServer({ db });
    const admin = await restClient(first.url).signup({ username: 'keeper', password: PASSWORD });
    const { code } = await restClient(first.url, admin.token).createInvite();
    await first.close({ keepData: true });

    const second = await startTestServer({ db });
    try {
      expect((await restClient(second.url, admin.token).me()).username).toBe('keeper');
      const login = await restClient(second.url).login({ username: 'keeper', password: PASSWORD });
      expect(login.user.id).toBe(admin.user.id);
      const joined = await restClient(second.url).signup({
        username: 'newcomer',
        password: PASSWORD,
        inviteCode: code,
      });
      expect(joined.user.isAdmin).toBe(false);
      // Still the only admin: the restart did not reopen the first-account path.
      const third = await refused(restClient(second.url).signup({ username: 'sneaky', password: PASSWORD }));
      expect(third.status).toBe(403);
    } finally {
      await second.close();
    }
  }, 60_000); // two server starts on one database: more than the default 30 s on a busy machine
});

describe('listening', () => {
  it('keeps an accept queue long enough for thousands of clients reconnecting at once', async () => {
    const server = await startTestServer();
    try {
      const { port } = new URL(server.url);
      // A listening socket's Send-Q, as `ss` shows it, is its accept queue's length (the kernel
      // caps it at net.core.somaxconn). Node's default is 511.
      const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
      const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
      expect(Number(line.split(/\s+/)[2])).toBe(Math.min(4096, somaxconn));
    } finally {
      await server.close();
    }
  });
});

describe('HTTPS', () => {
  it('serves over TLS with the self-signed certificate it made, and marks the cookie Secure', async () => {
    const server = await startTestServer({ config: { tls: { mode: 'self-signed' } } });
    try {
      expect(server.url).toMatch(/^https:\/\//);
      const ca = readFileSync(join(server.db.dataDir, 'tls', 'cert.pem'), 'utf8');
      // The SDK, trusting exactly that certificate.
      const rest = new RestClient({ baseUrl: server.url, fetch: pinnedFetch(ca), validate: true });
      expect(await rest.ready()).toEqual({ status: 'ok', database: 'ok', bus: 'none' });
      // Without it, the certificate is refused: no answer at all.
      expect(await refused(restClient(server.url).health())).toMatchObject({ status: 0, code: 'network' });
      // Set-Cookie is what the SDK hides: raw.
      const signup = await pinnedFetch(ca)(`${server.url}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'secure', password: PASSWORD }),
      });
      expect(signup.status).toBe(201);
      expect(signup.headers.get('set-cookie')).toMatch(/; Secure/);
      // No HSTS with the self-signed certificate: it would take away the way past its warning.
      expect(signup.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await server.close();
    }
  });
});

describe('HTTP surface', () => {
  it('sends HSTS on https through a trusted proxy, not for localhost or plain http; API answers are no-store', async () => {
    const server = await startTestServer({ config: { trustProxy: ['127.0.0.1'] } });
    try {
      const http = api(server.url);
      const viaProxy = (host: string) =>
        http.get('/api/instance', { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': host } });
      expect((await viaProxy('chat.example.org')).headers.get('strict-transport-security')).toBe(
        'max-age=31536000',
      );
      expect((await viaProxy('localhost:8765')).headers.get('strict-transport-security')).toBeNull();
      const plain = await http.get('/api/instance');
      expect(plain.headers.get('strict-transport-security')).toBeNull();
      expect(plain.headers.get('cache-control')).toBe('no-store');
      const { token } = await restClient(server.url).signup({ username: 'cached', password: PASSWORD });
      expect((await http.get('/api/users/@me', { token })).headers.get('cache-control')).toBe('no-store');
      // The web app's files are not about anyone.
      expect((await http.get('/')).headers.get('cache-control')).not.toBe('no-store');
    } finally {
      await server.close();
    }
  });

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
      // blob: only for images (the composer's thumbnails of files being uploaded), never scripts.
      expect(csp).toMatch(/img-src [^;]*blob:/);
      expect(csp).not.toMatch(/(script|default|media|frame)-src [^;]*blob:/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');

      const doc = await api(server.url).get<{ openapi: string; paths: Record<string, unknown> }>(
        '/api/openapi.json',
      );
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      for (const name of ['signup', 'login', 'logout', 'me', 'createInvite', 'health'] as const) {
        expect(Object.keys(doc.body.paths)).toContain(ROUTES[name].path);
      }
      expect((await api(server.url).get('/api/docs/')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
