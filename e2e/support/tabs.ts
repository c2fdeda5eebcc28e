import type { Page } from 'playwright-core';
import type { Person } from './browser.js';

/**
 * Another tab of the same browser profile (same cookies, same user), watched like the first one:
 * its CSP violations and page errors fail a step.
 */
export async function secondTab(of: Person): Promise<Person> {
  const page = await of.context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.setDefaultTimeout(15_000);
  return { context: of.context, page, problems };
}

/**
 * Playwright tells every page it has focus. This turns that off for one page, so that it has
 * focus only while it is the tab in front (`bringToFront`), and loses it (a `blur`, and
 * `document.hasFocus()` false) when another tab of its browser is brought to the front, as a
 * real browser does. A new document (goto, reload) gets Playwright's emulation back: call it
 * again after one (moves inside the app keep it).
 */
export async function realFocus(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
}

/** Whether the page thinks it is seen: visible and focused. */
export function isSeen(page: Page): Promise<boolean> {
  return page.evaluate(() => document.visibilityState === 'visible' && document.hasFocus());
}
