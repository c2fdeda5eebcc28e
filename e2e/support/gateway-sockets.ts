import type { Page } from 'playwright-core';

/**
 * Keeps the page's WebSockets (the gateway's) in a list, so that a test can cut one as a network
 * drop would, and see the client open the next. The product code is unchanged.
 */
export async function watchGatewaySockets(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const made: WebSocket[] = [];
    const Original = window.WebSocket;
    class Watched extends Original {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        made.push(this);
      }
    }
    Object.defineProperty(window, '__gatewaySockets', { value: made });
    window.WebSocket = Watched;
  });
}

/**
 * Closes the page's current gateway socket with `code`: 4000 is a drop the session may resume
 * from; 1000 ends the session on the server, as a lost session would.
 */
export async function cutGateway(page: Page, code: 1000 | 4000): Promise<number> {
  return page.evaluate((closeWith) => {
    const list: WebSocket[] = Reflect.get(window, '__gatewaySockets') ?? [];
    list.at(-1)?.close(closeWith, 'test cuts the gateway');
    return list.length;
  }, code);
}

/** How many gateway sockets the page has opened, and whether the newest is open. */
export function gatewaySockets(page: Page): Promise<{ count: number; open: boolean }> {
  return page.evaluate(() => {
    const list: WebSocket[] = Reflect.get(window, '__gatewaySockets') ?? [];
    return { count: list.length, open: list.at(-1)?.readyState === WebSocket.OPEN };
  });
}
