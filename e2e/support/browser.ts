import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Where screenshots go: `e2e/.screenshots/` (ignored by git), so that a test run never changes a
 * tracked file. `npm run screenshots` points SCREENSHOTS_DIR (relative to the repository root) at
 * `docs/screenshots/` to refresh the pictures in the docs.
 */
export const SCREENSHOTS = resolve(ROOT, process.env.SCREENSHOTS_DIR ?? 'e2e/.screenshots');
/** What the pages looked like when a step failed; always in the ignored folder, never in the docs. */
export const FAILURE_SHOTS = resolve(ROOT, 'e2e/.screenshots/failed');

/**
 * Chromium's fake microphone (a beeping tone) and camera, granted without a prompt: for voice.
 * Audio still only plays once the page has had a click, under Chrome's desktop default autoplay
 * policy (sticky activation). `user-gesture-required` (a click in the last few seconds) made a
 * peer who joined long after your click silent until your next one: the voice channel test
 * failed under CI load when the third peer came late. No
 * sound card here: with `--mute-audio` Chromium renders into a fake output.
 */
export const FAKE_MEDIA = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--mute-audio',
];

/** The switches `launchBrowser` starts Chromium with (the voice bench launches it the same way). */
export const BROWSER_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--ignore-certificate-errors',
  '--autoplay-policy=document-user-activation-required',
];

/**
 * Debian's Chromium, headless. Certificate errors are ignored for test servers with self-signed certificates.
 * `extraArgs` add switches (FAKE_MEDIA for voice).
 */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BROWSER_ARGS, ...extraArgs] });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations and page errors seen so far: a test expects none. */
  problems: string[];
}

/** A separate browser profile (own cookies) with one page. */
export async function person(browser: Browser, baseURL: string, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ baseURL, viewport, ignoreHTTPSErrors: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to/i.test(text)) problems.push(text);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.setDefaultTimeout(15_000);
  return { context, page, problems } satisfies Person;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Signs up through the login page; the first account needs no code. */
export async function signUp(page: Page, username: string, inviteCode?: string): Promise<void> {
  await page.goto('/');
  // A fresh instance opens on sign-up (the first admin); otherwise switch to it.
  const submit = page.getByRole('button', { name: /^(Sign up|Log in)$/ });
  if ((await submit.textContent()) === 'Log in')
    await page.getByRole('button', { name: 'Sign up instead' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('correct horse battery');
  if (inviteCode) await page.getByLabel('Invite code').fill(inviteCode);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await page.waitForURL('**/channels/@me');
  await page.getByRole('navigation', { name: 'Servers' }).waitFor();
}

/** Reads the code out of a copy field (a read-only textbox named `label`) once it is shown. */
export async function readCode(page: Page, label: string): Promise<string> {
  const field = page.getByRole('textbox', { name: label });
  await field.waitFor();
  return field.inputValue();
}

/** Types into the composer and presses Enter. */
export async function say(page: Page, composer: string, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: composer });
  await box.fill(text);
  await box.press('Enter');
}
