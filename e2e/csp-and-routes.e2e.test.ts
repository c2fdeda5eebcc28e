import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people, serverWith, textChannelOf } from '../apps/server/test/people.js';
import { startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from './support/accounts.js';
import { launchBrowser, type Person } from './support/browser.js';
import { story } from './support/story.js';

/**
 * Records every `securitypolicyviolation` of the page from its first script on: the console
 * check of `story` misses some (a blocked `eval` probe that the page's code catches says nothing
 * there in every Chromium version), the event never does.
 */
const RECORD_VIOLATIONS = () => {
  const seen: string[] = [];
  Object.defineProperty(window, '__cspViolations', { value: seen });
  document.addEventListener('securitypolicyviolation', (e) =>
    seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
  );
};

const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

/**
 * The server's pages and their policy: every address of the app answers the app (also on a
 * reload), only /api/* answers JSON, and neither the app nor the API docs break their own CSP.
 */
describe('pages and their policy', () => {
  let server: TestServer;
  let browser: Browser;
  let admin: Person;
  let deepLink: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const [root] = await people(server.url, ['root'] as const);
    const club = await serverWith(root, 'Policy Club');
    deepLink = `/channels/${club.id}/${textChannelOf(club)}`;
    admin = await loggedIn(browser, server.url, root.token);
    await admin.context.addInitScript(RECORD_VIOLATIONS);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  story(() => ({ admin }));

  it('opens the app with no CSP violation (no eval probe, no inline style)', async () => {
    const page = admin.page;
    await page.goto(deepLink);
    await page.getByRole('textbox', { name: 'Message #general' }).waitFor();
    await expect(violations(page)).resolves.toEqual([]);
  });

  it('opens the API docs with no CSP violation', async () => {
    const page = admin.page;
    await page.goto('/api/docs');
    await page.locator('.swagger-ui .opblock').first().waitFor();
    await page.locator('.swagger-ui .topbar svg').waitFor();
    await expect(violations(page)).resolves.toEqual([]);
  });

  it('answers every app address with the app, also on a reload', async () => {
    const page = admin.page;
    const addresses: [string, () => Promise<void>][] = [
      [deepLink, () => page.getByRole('textbox', { name: 'Message #general' }).waitFor()],
      ['/channels/@me', () => page.getByRole('navigation', { name: 'Servers' }).waitFor()],
      ['/settings', () => page.getByRole('heading', { name: 'My account' }).waitFor()],
      ['/settings/sessions', () => page.getByRole('heading', { name: 'Sessions' }).waitFor()],
      ['/admin', () => page.getByRole('heading', { name: 'Overview' }).waitFor()],
      ['/admin/users', () => page.getByRole('heading', { name: 'Users' }).waitFor()],
    ];
    for (const [address, shown] of addresses) {
      const answer = await page.goto(address);
      expect(answer?.headers()['content-type'], address).toMatch(/^text\/html/);
      await shown();
      const reloaded = await page.reload();
      expect(reloaded?.status(), address).toBe(200);
      await shown();
    }
    for (const address of [
      '/login',
      '/forgot-password',
      '/reset-password?token=x',
      '/confirm-email?token=x',
    ]) {
      const answer = await page.request.get(address);
      expect(answer.status(), address).toBe(200);
      expect(answer.headers()['content-type'], address).toMatch(/^text\/html/);
    }
    await expect(violations(page)).resolves.toEqual([]);
  });

  it('answers an unknown /api/ address with the JSON 404, not the app', async () => {
    for (const address of ['/api/nope', '/api/channels/1/nothing-here', '/api/settings']) {
      const answer = await admin.page.request.get(address);
      expect(answer.status(), address).toBe(404);
      expect(answer.headers()['content-type'], address).toMatch(/^application\/json/);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });
});
