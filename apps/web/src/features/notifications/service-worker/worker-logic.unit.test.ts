import { describe, expect, it } from 'vitest';
import type { OpenMessage } from '../worker-messages';
import { type AppWindow, clickedPath, openApp, payloadOf, type WindowClients } from './worker-logic';

const data = (value: unknown) => ({ json: () => value });

describe('a push', () => {
  it('shows its title, body and tag, and remembers the path', () => {
    expect(payloadOf(data({ title: 'ann', body: 'hi', url: '/channels/@me/5', tag: '5' }))).toEqual({
      title: 'ann',
      body: 'hi',
      url: '/channels/@me/5',
      tag: '5',
    });
  });

  it('malformed or empty, still shows something plain; a foreign URL becomes home', () => {
    const bad = {
      json: () => {
        throw new SyntaxError('not JSON');
      },
    };
    for (const d of [null, bad, data('text'), data({ title: 3 })])
      expect(payloadOf(d)).toEqual({
        title: 'Decentra',
        body: 'Something new',
        url: '/channels/@me',
        tag: 'decentra',
      });
    expect(payloadOf(data({ url: 'https://evil.example/' })).url).toBe('/channels/@me');
    expect(clickedPath({ url: '//evil.example/x' })).toBe('/channels/@me');
    expect(clickedPath(undefined)).toBe('/channels/@me');
  });
});

function windows(...focused: boolean[]) {
  const events: string[] = [];
  const list: AppWindow[] = focused.map((f, i) => ({
    focused: f,
    focus: async () => events.push(`focus ${i}`),
    postMessage: (m: OpenMessage) => events.push(`post ${i} ${m.type} ${m.url}`),
  }));
  const clients: WindowClients = {
    matchAll: async () => list,
    openWindow: async (url) => events.push(`open ${url}`),
  };
  return { clients, events };
}

describe('a click on a notification', () => {
  it('brings the focused page of the app forward and has it route there', async () => {
    const { clients, events } = windows(false, true);
    await openApp(clients, '/channels/10/11');
    expect(events).toEqual(['focus 1', 'post 1 decentra:open /channels/10/11']);
  });

  it('takes the first page when none has the focus', async () => {
    const { clients, events } = windows(false, false);
    await openApp(clients, '/channels/@me/5');
    expect(events).toEqual(['focus 0', 'post 0 decentra:open /channels/@me/5']);
  });

  it('opens a window when no page of the app is open', async () => {
    const { clients, events } = windows();
    await openApp(clients, '/channels/@me/5');
    expect(events).toEqual(['open /channels/@me/5']);
  });
});
