import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { FAILURE_SHOTS, type Person } from './browser.js';

type Pages = () => Record<string, Person | undefined>;

/**
 * Makes the tests of the enclosing `describe` the steps of one story, run in order on shared
 * state (vitest runs a file's tests in order), so that a failure names the behaviour that broke:
 * after a failed step the later ones are skipped, as they would only fail for the same reason.
 */
export function steps(): void {
  let failed: string | undefined;
  beforeEach(({ task, skip, onTestFailed }) => {
    if (failed !== undefined) skip(`an earlier step failed: ${failed}`);
    onTestFailed(() => {
      failed ??= task.name;
    });
  });
}

/**
 * For every test of the enclosing `describe`: it must end with no Content-Security-Policy
 * violation or page error on any of the pages, and when it fails, a screenshot of each page is
 * left in `e2e/.screenshots/failed/`. `pages` is read at each test (browsers are made in `beforeAll`).
 */
export function watchPages(pages: Pages): void {
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      mkdirSync(FAILURE_SHOTS, { recursive: true });
      const file = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
      for (const [name, person] of Object.entries(pages())) {
        if (!person || person.page.isClosed()) continue;
        await person.page
          .screenshot({ path: join(FAILURE_SHOTS, `${file}.${name}.png`), timeout: 5_000 })
          .catch(() => undefined);
      }
    });
  });
  afterEach(() => {
    for (const [name, person] of Object.entries(pages())) {
      if (person) expect(person.problems, `CSP violations or page errors on ${name}'s page`).toEqual([]);
    }
  });
}

/** Both: the tests of the enclosing `describe` are steps of one story, on watched pages. */
export function story(pages: Pages): void {
  watchPages(pages);
  steps();
}
