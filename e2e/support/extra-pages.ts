import type { Page } from 'playwright-core';
import type { Person } from './browser.js';

/**
 * Another tab in the same browser profile, watched like the first: its Content-Security-Policy
 * violations and page errors go to the person's `problems`, which every step expects empty.
 */
export async function anotherTab(person: Person): Promise<Page> {
  const page = await person.context.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to/i.test(text)) person.problems.push(text);
  });
  page.on('pageerror', (err) => person.problems.push(`pageerror: ${err.message}`));
  page.setDefaultTimeout(15_000);
  return page;
}
