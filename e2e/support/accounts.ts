import type { Browser } from 'playwright-core';
import { type Person, person } from './browser.js';

const CSRF = { 'x-requested-with': 'decentra', 'content-type': 'application/json' };

/** REST against the test server, for setting the scene faster than through the UI. */
export async function call<T>(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...CSRF, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Makes an account (the first needs no code; later ones get a code from `inviter`). */
export async function account(base: string, username: string, inviter?: string): Promise<string> {
  const inviteCode = inviter
    ? (await call<{ code: string }>(base, 'POST', '/api/invites', {}, inviter)).code
    : undefined;
  const res = await call<{ token: string }>(base, 'POST', '/api/auth/signup', {
    username,
    password: 'correct horse battery',
    ...(inviteCode ? { inviteCode } : {}),
  });
  return res.token;
}

/** A browser profile already logged in with `token` (the session cookie). */
export async function loggedIn(
  browser: Browser,
  base: string,
  token: string,
  viewport?: { width: number; height: number },
): Promise<Person> {
  const p = await person(browser, base, viewport);
  await p.context.addCookies([
    { name: 'decentra_session', value: token, url: base, httpOnly: true, sameSite: 'Strict' },
  ]);
  return p;
}
