import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** Debian's Chromium, headless. Certificate errors are ignored for the local HTTPS media server only. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--ignore-certificate-errors',
      '--autoplay-policy=user-gesture-required',
    ],
  });
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
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

/** Signs up through the login page; the first account needs no code. */
export async function signUp(page: Page, username: string, inviteCode?: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign up instead' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('correct horse battery');
  if (inviteCode) await page.getByLabel('Invite code').fill(inviteCode);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await page.waitForURL('**/channels/@me');
  await page.getByRole('navigation', { name: 'Servers' }).waitFor();
}

/** Reads the code out of a copy field in the open dialog, then closes the dialog. */
export async function readCode(page: Page, label: string): Promise<string> {
  const field = page.getByRole('textbox', { name: label });
  await field.waitFor();
  const code = await field.inputValue();
  return code;
}

/** Types into the composer and presses Enter. */
export async function say(page: Page, composer: string, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: composer });
  await box.fill(text);
  await box.press('Enter');
}
