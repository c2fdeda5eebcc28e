import { SESSION_COOKIE } from '@decentra/protocol';
import type { Browser } from 'playwright-core';
import { type Person, person } from './browser.js';

/**
 * Accounts, servers and friendships for setting the scene are made through the SDK, with the
 * server tests' helpers (apps/server/test/people.ts: `people`, `serverWith`, …): the same
 * RestClient as the web app, every answer checked against the contract.
 */

/** A browser profile already logged in with `token` (the session cookie). */
export async function loggedIn(
  browser: Browser,
  base: string,
  token: string,
  viewport?: { width: number; height: number },
): Promise<Person> {
  const p = await person(browser, base, viewport);
  await p.context.addCookies([
    { name: SESSION_COOKIE, value: token, url: base, httpOnly: true, sameSite: 'Strict' },
  ]);
  return p;
}
