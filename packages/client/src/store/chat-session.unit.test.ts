import {
  DEFAULT_USER_SETTINGS,
  type Message,
  type NotificationOverride,
  type ReadState,
  type ReadyData,
} from '@decentra/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type GatewayClientEvents, GatewayRequestError, type GatewayState } from '../gateway.js';
import { ApiError } from '../rest.js';
import {
  ChatSession,
  type GatewayLike,
  PAGE_SIZE,
  READ_STATE_REFRESH_MS,
  type RestLike,
  TYPING_THROTTLE_MS,
} from './chat-session.js';
import { createChatStore } from './chat-store.js';
import { localOutbox, type OutboxKeeper } from './saved-outbox.js';

const me = { id: '1', username: 'me', isAdmin: false, createdAt: '2026-01-01T00:00:00.000Z' };
const readyData: ReadyData = {
  sessionId: 's',
  user: me,
  servers: [
    {
      id: '10',
      name: 'Club',
      ownerId: '1',
      channels: [{ id: '11', serverId: '10', type: 'text', name: 'general' }],
      myPermissions: {
        createChannel: true,
        editChannel: true,
        deleteChannel: true,
        mentionEveryone: true,
        pinMessages: true,
      },
    },
  ],
  dms: [],
  friends: { friends: [], incoming: [], outgoing: [] },
  presences: [],
  voiceStates: [],
  calls: [],
  settings: DEFAULT_USER_SETTINGS,
  readStates: [],
  notificationOverrides: [],
};

interface Sent {
  op: string;
  d: { channelId: string; content: string; nonce: string; attachments?: string[] };
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
}

/** A gateway double: records requests, lets the test answer or drop them. */
class FakeGateway implements GatewayLike {
  state: GatewayState = 'idle';
  sent: Sent[] = [];
  fireAndForget: Array<{ op: string; d: unknown }> = [];
  private listeners: { [K in keyof GatewayClientEvents]?: Array<GatewayClientEvents[K]> } = {};

  on<K extends keyof GatewayClientEvents>(type: K, listener: GatewayClientEvents[K]): () => void {
    const list = (this.listeners[type] ?? []) as Array<GatewayClientEvents[K]>;
    list.push(listener);
    (this.listeners as Record<string, unknown>)[type] = list;
    return () => undefined;
  }
  emit<K extends keyof GatewayClientEvents>(type: K, ...args: Parameters<GatewayClientEvents[K]>): void {
    for (const l of this.listeners[type] ?? []) (l as (...a: unknown[]) => void)(...args);
  }
  request<T>(op: string, d: unknown): Promise<T> {
    if (this.state !== 'ready') return Promise.reject(new GatewayRequestError('disconnected', 'down'));
    return new Promise<T>((resolve, reject) => {
      this.sent.push({ op, d: d as Sent['d'], resolve: resolve as (m: Message) => void, reject });
    });
  }
  send(op: string, d: unknown): boolean {
    if (this.state !== 'ready') return false;
    this.fireAndForget.push({ op, d });
    return true;
  }
  connect(): Promise<ReadyData> {
    this.goReady();
    return Promise.resolve(readyData);
  }
  close(): void {
    this.state = 'closed';
  }
  goReady(): void {
    this.state = 'ready';
    this.emit('state', 'ready');
    this.emit('ready', readyData);
  }
  drop(): void {
    this.state = 'reconnecting';
    this.emit('state', 'reconnecting');
    for (const s of this.sent.splice(0)) s.reject(new GatewayRequestError('disconnected', 'dropped'));
  }
}

function ack(sent: Sent, id: string): Message {
  const m: Message = {
    id,
    channelId: sent.d.channelId,
    author: { id: '1', username: 'me' },
    content: sent.d.content,
    mentions: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    editedAt: null,
    nonce: sent.d.nonce,
  };
  sent.resolve(m);
  return m;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

interface HistoryPage {
  before?: string;
  after?: string;
  around?: string;
  limit?: number;
}

const notUsed = async (): Promise<never> => {
  throw new Error('not used');
};

function setup(
  history: (channelId: string, page: HistoryPage) => Message[] | Promise<Message[]> = () => [],
  more: Partial<RestLike> = {},
  keep?: (userId: string) => OutboxKeeper,
) {
  const gateway = new FakeGateway();
  const calls: HistoryPage[] = [];
  const rest: RestLike = {
    listMessages: async ({ channelId, ...page }) => {
      calls.push(page);
      return history(channelId, page);
    },
    editMessage: notUsed,
    deleteMessage: async () => undefined,
    addReaction: notUsed,
    removeReaction: notUsed,
    createServer: notUsed,
    joinServer: notUsed,
    renameServer: notUsed,
    createChannel: notUsed,
    renameChannel: notUsed,
    openDm: notUsed,
    listMembers: notUsed,
    updateMember: notUsed,
    putSettings: notUsed,
    getReadState: notUsed,
    updateNotificationOverride: notUsed,
    ...more,
  };
  let clock = 10_000;
  const store = createChatStore();
  const session = new ChatSession(store, gateway, rest, () => clock, keep);
  return { gateway, rest, calls, store, session, advance: (ms: number) => (clock += ms) };
}

const items = (store: ReturnType<typeof createChatStore>, channelId = '11') =>
  store.getState().messages[channelId]?.items ?? [];

describe('ChatSession outbox', () => {
  it('shows a message at once as pending and confirms it on the ack', async () => {
    const { gateway, store, session } = setup();
    await session.start();
    const nonce = session.send('11', 'hello');
    expect(items(store)).toMatchObject([{ id: `pending:${nonce}`, pending: 'sending', content: 'hello' }]);
    const sent = gateway.sent[0];
    expect(sent?.d).toEqual({ channelId: '11', content: 'hello', nonce });
    if (sent) ack(sent, '100');
    await tick();
    expect(items(store).map((m) => [m.id, m.pending])).toEqual([['100', undefined]]);
    expect(session.pendingNonces).toEqual([]);
  });

  it('queues while disconnected and resends with the same nonce on ready: never lost', async () => {
    const { gateway, store, session } = setup();
    await session.start();
    gateway.drop();
    const nonce = session.send('11', 'offline');
    expect(gateway.sent).toHaveLength(0);
    expect(items(store)[0]?.pending).toBe('sending');
    gateway.goReady();
    expect(gateway.sent.map((s) => s.d.nonce)).toEqual([nonce]);
  });

  it('a reply lost with the socket is resent with the same nonce after resume; the echo event and the ack give one message', async () => {
    const { gateway, store, session } = setup();
    await session.start();
    const nonce = session.send('11', 'once');
    gateway.drop();
    await tick();
    // The replayed event arrives first (the server had stored it), then the resend is acknowledged.
    gateway.state = 'ready';
    const stored = {
      id: '200',
      channelId: '11',
      author: { id: '1', username: 'me' },
      content: 'once',
      mentions: [],
      createdAt: '2026-01-01T00:00:00.000Z',
      editedAt: null,
      nonce,
    };
    gateway.emit('event', { op: 'event', t: 'message_create', d: stored, seq: 1 });
    gateway.emit('resumed');
    expect(gateway.sent.map((s) => s.d.nonce)).toEqual([nonce]);
    const resend = gateway.sent[0];
    if (resend) ack(resend, '200');
    await tick();
    expect(items(store).map((m) => m.id)).toEqual(['200']);
  });

  it('keeps the order of several queued messages: one on its way at a time', async () => {
    const { gateway, session } = setup();
    await session.start();
    gateway.drop();
    session.send('11', 'a');
    session.send('11', 'b');
    session.send('11', 'c');
    gateway.goReady();
    expect(gateway.sent.map((s) => s.d.content)).toEqual(['a']);
    for (const [i, next] of [
      [0, 'b'],
      [1, 'c'],
    ] as const) {
      const sent = gateway.sent[i];
      if (sent) ack(sent, String(100 + i));
      await tick();
      expect(gateway.sent.at(-1)?.d.content).toBe(next);
    }
    expect(gateway.sent).toHaveLength(3);
  });

  it('rate limited: shows the wait the server names, then goes on in order with the same nonce', async () => {
    vi.useFakeTimers();
    const { gateway, store, session } = setup();
    await session.start();
    const first = session.send('11', 'a');
    session.send('11', 'b');
    gateway.sent[0]?.reject(new GatewayRequestError('rate_limited', 'Slow down.', { retryAfter: 3 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(items(store).map((m) => [m.content, m.pending, m.waitUntil])).toEqual([
      ['a', 'sending', 13_000],
      ['b', 'sending', 13_000],
    ]);
    session.send('11', 'c');
    expect(items(store).at(-1)).toMatchObject({ content: 'c', waitUntil: 13_000 });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(gateway.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(gateway.sent.map((s) => [s.d.content, s.d.nonce])).toEqual([
      ['a', first],
      ['a', first],
    ]);
    vi.useRealTimers();
  });

  it('keeps the outbox across a reload: the next page of that user resends it with the same nonces', async () => {
    const kept = new Map<string, string>();
    const storage = {
      getItem: (k: string) => kept.get(k) ?? null,
      setItem: (k: string, v: string) => void kept.set(k, v),
      removeItem: (k: string) => void kept.delete(k),
    };
    const keep = (userId: string) => localOutbox(userId, storage);
    const before = setup(undefined, {}, keep);
    await before.session.start();
    before.session.send('11', 'a');
    const b = before.session.send('11', 'b');
    const c = before.session.send('11', 'c');
    const sentA = before.gateway.sent[0];
    if (sentA) ack(sentA, '100');
    await tick();
    // The tab closes with b on its way and c queued; a new page logs in as the same user.
    expect([...kept.keys()]).toEqual(['decentra.outbox.1']);
    const after = setup(undefined, {}, keep);
    await after.session.start();
    expect(items(after.store).map((m) => [m.content, m.pending])).toEqual([
      ['b', 'sending'],
      ['c', 'sending'],
    ]);
    expect(after.gateway.sent.map((s) => s.d.nonce)).toEqual([b]);
    const sentB = after.gateway.sent[0];
    if (sentB) ack(sentB, '101');
    await tick();
    expect(after.gateway.sent.map((s) => s.d.nonce)).toEqual([b, c]);
    const sentC = after.gateway.sent[1];
    if (sentC) ack(sentC, '102');
    await tick();
    expect(kept.size).toBe(0);
  });

  it('sends a message with files by their ids, shows them on the pending copy, and keeps them across a reload and a retry', async () => {
    const kept = new Map<string, string>();
    const storage = {
      getItem: (k: string) => kept.get(k) ?? null,
      setItem: (k: string, v: string) => void kept.set(k, v),
      removeItem: (k: string) => void kept.delete(k),
    };
    const keep = (userId: string) => localOutbox(userId, storage);
    const files = [
      {
        id: '501',
        filename: 'cat.png',
        size: 10,
        contentType: 'image/png',
        kind: 'image' as const,
        url: '/api/files/501',
        width: 8,
        height: 6,
      },
      {
        id: '502',
        filename: 'notes.txt',
        size: 3,
        contentType: 'text/plain',
        kind: 'file' as const,
        url: '/api/files/502',
      },
    ];
    const before = setup(undefined, {}, keep);
    await before.session.start();
    before.gateway.drop();
    const nonce = before.session.send('11', '', undefined, files);
    expect(items(before.store)[0]).toMatchObject({ content: '', attachments: files, pending: 'sending' });
    // The tab closes before the socket came back; the next page sends it with the files.
    const after = setup(undefined, {}, keep);
    await after.session.start();
    expect(items(after.store)[0]).toMatchObject({ content: '', attachments: files });
    expect(after.gateway.sent.map((s) => s.d)).toEqual([
      { channelId: '11', content: '', nonce, attachments: ['501', '502'] },
    ]);
    after.gateway.sent[0]?.reject(new GatewayRequestError('forbidden', 'You cannot send here.'));
    await tick();
    after.session.retry(nonce);
    expect(after.gateway.sent[1]?.d).toEqual({
      channelId: '11',
      content: '',
      nonce,
      attachments: ['501', '502'],
    });
  });

  it('reads nothing unreadable from the kept outbox', () => {
    const storage = { getItem: () => '{"not":"a list"', setItem: () => {}, removeItem: () => {} };
    expect(localOutbox('1', storage).load()).toEqual([]);
    const wrong = { ...storage, getItem: () => JSON.stringify([{ nonce: 1 }]) };
    expect(localOutbox('1', wrong).load()).toEqual([]);
  });

  it('marks a refused message failed; retry sends it again with the same nonce; discard drops it', async () => {
    const { gateway, store, session } = setup();
    await session.start();
    const nonce = session.send('11', 'nope');
    gateway.sent[0]?.reject(new GatewayRequestError('forbidden', 'You cannot send here.'));
    await tick();
    expect(items(store)[0]).toMatchObject({ pending: 'failed', error: 'You cannot send here.' });
    expect(session.pendingNonces).toEqual([]);
    session.retry(nonce);
    expect(items(store)[0]?.pending).toBe('sending');
    expect(gateway.sent[1]?.d.nonce).toBe(nonce);
    gateway.sent[1]?.reject(new GatewayRequestError('forbidden', 'Still no.'));
    await tick();
    session.discard(nonce);
    expect(items(store)).toEqual([]);
  });
});

describe('ChatSession history', () => {
  const page = (from: number, n: number): Message[] =>
    Array.from({ length: n }, (_, i) => ({
      id: String(from + i),
      channelId: '11',
      author: { id: '2', username: 'bob' },
      content: `m${from + i}`,
      mentions: [],
      createdAt: '2026-01-01T00:00:00.000Z',
      editedAt: null,
    }));

  it('opens with the newest page and loads older pages with before', async () => {
    const { store, session, calls } = setup((_c, p) =>
      p.before ? page(Number(p.before) - 10, 10) : page(1000, PAGE_SIZE),
    );
    await session.open('11');
    expect(items(store)).toHaveLength(PAGE_SIZE);
    expect(store.getState().messages['11']?.hasOlder).toBe(true);
    await session.open('11');
    expect(calls).toHaveLength(1);
    await session.loadOlder('11');
    expect(calls[1]).toEqual({ before: '1000', limit: PAGE_SIZE });
    expect(items(store)[0]?.id).toBe('990');
    expect(store.getState().messages['11']?.hasOlder).toBe(false);
    expect(await session.loadOlder('11')).toBe(false);
  });

  it('after a reset, catches up every loaded channel with after, page by page', async () => {
    const { gateway, store, session, calls } = setup((_c, p) => {
      if (!p.after) return page(1000, 3);
      const after = Number(p.after);
      return after < 1200 ? page(after + 1, 100) : page(after + 1, 5);
    });
    await session.start();
    await session.open('11');
    gateway.goReady();
    gateway.emit('reset', readyData);
    await tick();
    await tick();
    await tick();
    expect(calls.slice(1).map((c) => c.after)).toEqual(['1002', '1102', '1202']);
    const ids = items(store).map((m) => Number(m.id));
    expect(ids).toHaveLength(3 + 100 + 100 + 5);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('asks a catch-up page that failed on the way again, with backoff, and stops on a refusal', async () => {
    vi.useFakeTimers();
    let failures = 2;
    let refuse = false;
    const { gateway, store, session, calls } = setup((_c, p) => {
      if (!p.after) return page(1000, 3);
      if (refuse) throw new ApiError(403, 'forbidden', 'Not yours.');
      if (failures-- > 0) throw new ApiError(0, 'network', 'Could not reach the server.');
      return page(Number(p.after) + 1, 5);
    });
    await session.start();
    await session.open('11');
    gateway.goReady();
    gateway.emit('reset', readyData);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.slice(1).map((c) => c.after)).toEqual(['1002']);
    await vi.advanceTimersByTimeAsync(500);
    expect(calls.slice(1).map((c) => c.after)).toEqual(['1002', '1002']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.slice(1).map((c) => c.after)).toEqual(['1002', '1002', '1002']);
    expect(items(store)).toHaveLength(3 + 5);

    refuse = true;
    gateway.emit('reset', readyData);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.slice(4)).toHaveLength(1);
    vi.useRealTimers();
  });
});

describe('ChatSession jump to a message (a detached window)', () => {
  const msg = (id: number, extra: Partial<Message> = {}): Message => ({
    id: String(id),
    channelId: '11',
    author: { id: '2', username: 'bob' },
    content: `m${id}`,
    mentions: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    editedAt: null,
    ...extra,
  });
  /** A channel holding ids 1000..1999 (more may be added), answering pages as the server does. */
  function channel() {
    const ids = Array.from({ length: 1000 }, (_, i) => 1000 + i);
    const history = (_c: string, p: HistoryPage): Message[] => {
      const limit = p.limit ?? PAGE_SIZE;
      if (p.around) {
        const half = Math.floor(limit / 2);
        const at = Number(p.around);
        const older = ids.filter((i) => i < at).slice(-half);
        return [...older, ...ids.filter((i) => i >= at).slice(0, limit - half)].map((i) => msg(i));
      }
      if (p.after)
        return ids
          .filter((i) => i > Number(p.after))
          .slice(0, limit)
          .map((i) => msg(i));
      const before = p.before ? Number(p.before) : Number.POSITIVE_INFINITY;
      return ids
        .filter((i) => i < before)
        .slice(-limit)
        .map((i) => msg(i));
    };
    return { ids, history };
  }
  const list = (store: ReturnType<typeof createChatStore>) => store.getState().messages['11'];
  const live = (gateway: FakeGateway, m: Message, seq: number) =>
    gateway.emit('event', { op: 'event', t: 'message_create', d: m, seq });

  it('opens the page around an old message, detached from the present; live messages stay out of the gap', async () => {
    const server = channel();
    const { gateway, store, session, calls } = setup(server.history);
    await session.start();
    await session.open('11');
    expect(await session.jumpTo('11', '1200')).toBe(true);
    expect(calls[1]).toEqual({ around: '1200', limit: PAGE_SIZE });
    const ids = items(store).map((m) => Number(m.id));
    expect(ids[0]).toBe(1175);
    expect(ids.at(-1)).toBe(1224);
    expect(list(store)).toMatchObject({ hasOlder: true, hasNewer: true, loaded: true });
    // Someone writes now: the message belongs after the gap, not right after 1224.
    server.ids.push(2000);
    live(gateway, msg(2000), 1);
    expect(items(store).map((m) => m.id)).not.toContain('2000');
    // An edit of a message on screen is still taken.
    gateway.emit('event', {
      op: 'event',
      t: 'message_update',
      d: msg(1200, { content: 'edited', editedAt: '2026-01-02T00:00:00.000Z' }),
      seq: 2,
    });
    expect(items(store).find((m) => m.id === '1200')?.content).toBe('edited');
    // A message already held needs no page.
    expect(await session.jumpTo('11', '1210')).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('loads newer pages down to the present, then takes live messages again, with no gap and no copy', async () => {
    const server = channel();
    const { gateway, store, session } = setup(server.history);
    await session.start();
    await session.jumpTo('11', '1900');
    server.ids.push(2000);
    live(gateway, msg(2000), 1);
    while (await session.loadNewer('11'));
    const ids = items(store).map((m) => Number(m.id));
    expect(ids.slice(-3)).toEqual([1998, 1999, 2000]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.every((id, i) => i === 0 || id === (ids[i - 1] ?? 0) + 1)).toBe(true);
    expect(list(store)?.hasNewer).toBe(false);
    live(gateway, msg(2001), 2);
    expect(items(store).at(-1)?.id).toBe('2001');
    expect(await session.loadNewer('11')).toBe(false);
  });

  it('a message sent while the last newer page was on its way is not lost', async () => {
    const server = channel();
    let during: (() => void) | undefined;
    const { gateway, store, session } = setup((c, p) => {
      const page = server.history(c, p);
      // Stored after this page was read, heard while the window was still detached.
      if (p.after === '1984') during?.();
      return page;
    });
    await session.start();
    await session.jumpTo('11', '1960');
    during = () => {
      server.ids.push(2000);
      live(gateway, msg(2000), 1);
    };
    // The page after 1984 is the last (1985..1999, short); 2000 was stored after it was read.
    expect(await session.loadNewer('11')).toBe(true);
    expect(items(store).at(-1)?.id).toBe('2000');
  });

  it('jump to present drops the old window for the newest page; jumping to the newest page is not detached', async () => {
    const server = channel();
    const { store, session } = setup(server.history);
    await session.start();
    await session.jumpTo('11', '1100');
    await session.jumpToPresent('11');
    expect(list(store)).toMatchObject({ hasNewer: false, loaded: true, hasOlder: true });
    expect(items(store).map((m) => Number(m.id))).toEqual(
      Array.from({ length: PAGE_SIZE }, (_, i) => 1950 + i),
    );
    await session.jumpTo('11', '1000');
    await session.jumpToPresent('11');
    await session.jumpTo('11', '1990');
    expect(list(store)?.hasNewer).toBe(false);
  });

  it('sending while detached goes back to the present, where the message lands once', async () => {
    const server = channel();
    const { gateway, store, session } = setup(server.history);
    await session.start();
    await session.jumpTo('11', '1100');
    const nonce = session.send('11', 'now');
    await tick();
    await tick();
    expect(list(store)?.hasNewer).toBe(false);
    expect(items(store).at(-1)).toMatchObject({ id: `pending:${nonce}`, pending: 'sending' });
    const sent = gateway.sent[0];
    if (sent) ack(sent, '2000');
    await tick();
    expect(
      items(store)
        .filter((m) => m.content === 'now')
        .map((m) => m.id),
    ).toEqual(['2000']);
    expect(items(store).at(-2)?.id).toBe('1999');
  });

  it('a page asked for the window before a jump is dropped', async () => {
    const server = channel();
    let release: (() => void) | undefined;
    const { store, session } = setup(async (c, p) => {
      if (p.before) await new Promise<void>((r) => (release = r));
      return server.history(c, p);
    });
    await session.start();
    await session.open('11');
    const older = session.loadOlder('11');
    await tick();
    await session.jumpTo('11', '1300');
    release?.();
    expect(await older).toBe(false);
    expect(items(store)[0]?.id).toBe('1275');
  });

  it('a reset catches up attached channels but leaves a detached one alone', async () => {
    const server = channel();
    const { gateway, session, calls } = setup(server.history);
    await session.start();
    await session.jumpTo('11', '1300');
    gateway.emit('reset', readyData);
    await tick();
    expect(calls.filter((c) => c.after)).toEqual([]);
  });
});

describe('ChatSession read state', () => {
  const unread: ReadState = { channelId: '11', lastReadId: '100', lastMessageId: '105', mentionCount: 2 };
  const incoming = (id: string, mentions: string[] = []): Message => ({
    id,
    channelId: '11',
    author: { id: '2', username: 'bob' },
    content: 'hi',
    mentions,
    createdAt: '2026-01-01T00:00:00.000Z',
    editedAt: null,
  });
  const acks = (gateway: FakeGateway) => gateway.sent.filter((x) => x.op === 'ack');
  /** Answers an ack request with the server's read state. */
  const answer = (sent: Sent | undefined, state: ReadState) =>
    (sent?.resolve as ((s: ReadState) => void) | undefined)?.(state);

  async function started(more: Partial<RestLike> = {}, readStates: ReadState[] = [unread]) {
    const t = setup(() => [], more);
    await t.session.start();
    t.gateway.emit('ready', { ...readyData, readStates });
    return t;
  }

  afterEach(() => {
    vi.useRealTimers();
  });

  it('acks at once in the store (no badge lingers) and then on the server', async () => {
    const { gateway, store, session } = await started();
    session.ack('11', '105');
    expect(store.getState().readStates['11']).toEqual({ ...unread, lastReadId: '105', mentionCount: 0 });
    expect(acks(gateway).map((x) => x.d)).toEqual([{ channelId: '11', messageId: '105' }]);
    answer(acks(gateway)[0], { ...unread, lastReadId: '105', mentionCount: 0 });
    await tick();
    expect(store.getState().readStates['11']?.lastReadId).toBe('105');
  });

  it('never acks backwards, and keeps mentions newer than the message acked', async () => {
    const { gateway, store, session } = await started();
    session.ack('11', '100');
    expect(acks(gateway)).toHaveLength(0);
    session.ack('11', '103');
    expect(store.getState().readStates['11']).toEqual({ ...unread, lastReadId: '103' });
  });

  it('keeps one ack in flight per channel and sends only the newest asked for meanwhile', async () => {
    const { gateway, store, session } = await started();
    session.ack('11', '103');
    gateway.emit('event', { op: 'event', t: 'message_create', d: incoming('106'), seq: 2 });
    session.ack('11', '105');
    session.ack('11', '106');
    expect(acks(gateway)).toHaveLength(1);
    // The answer to the first ack is behind what the store holds: it does not undo the later one.
    answer(acks(gateway)[0], { ...unread, lastReadId: '103', lastMessageId: '106', mentionCount: 0 });
    await tick();
    expect(store.getState().readStates['11']?.lastReadId).toBe('106');
    expect(acks(gateway).map((x) => x.d)).toEqual([
      { channelId: '11', messageId: '103' },
      { channelId: '11', messageId: '106' },
    ]);
  });

  it('a message that overtakes the answer to its ack stays unread', async () => {
    const { gateway, store, session } = await started();
    session.ack('11', '105');
    gateway.emit('event', { op: 'event', t: 'message_create', d: incoming('107', ['1']), seq: 2 });
    answer(acks(gateway)[0], { ...unread, lastReadId: '105', mentionCount: 0 });
    await tick();
    expect(store.getState().readStates['11']).toEqual({
      channelId: '11',
      lastReadId: '105',
      lastMessageId: '107',
      mentionCount: 1,
    });
  });

  it('an ack from another tab arrives as read_state_update', async () => {
    const { gateway, store } = await started();
    const read = { ...unread, lastReadId: '105', mentionCount: 0 };
    gateway.emit('event', { op: 'event', t: 'read_state_update', d: read, seq: 2 });
    expect(store.getState().readStates['11']).toEqual(read);
  });

  it('an ack made while the socket is down goes out after a resume, with nothing more to do', async () => {
    const { gateway, store, session } = await started();
    gateway.drop();
    session.ack('11', '105');
    await tick();
    expect(store.getState().readStates['11']?.mentionCount).toBe(0);
    expect(acks(gateway)).toHaveLength(0);
    gateway.state = 'ready';
    gateway.emit('resumed');
    expect(acks(gateway).map((x) => x.d)).toEqual([{ channelId: '11', messageId: '105' }]);
  });

  it('an ack lost with the socket is made again over the read states of the next ready', async () => {
    const { gateway, store, session } = await started();
    session.ack('11', '103');
    gateway.drop();
    await tick();
    gateway.state = 'ready';
    // The server never heard of it: its ready still says unread from 100.
    gateway.emit('ready', { ...readyData, readStates: [unread] });
    expect(store.getState().readStates['11']).toEqual({ ...unread, lastReadId: '103' });
    expect(acks(gateway).map((x) => x.d)).toEqual([{ channelId: '11', messageId: '103' }]);
  });

  it('does not send again an ack the server refused', async () => {
    const { gateway, session } = await started();
    session.ack('11', '105');
    acks(gateway)[0]?.reject(new GatewayRequestError('not_found', 'gone'));
    await tick();
    gateway.emit('resumed');
    expect(acks(gateway)).toHaveLength(1);
  });

  it('asks the server again once after unread messages are deleted, and takes a lower count', async () => {
    vi.useFakeTimers();
    const asked: string[] = [];
    const { gateway, store } = await started({
      getReadState: async ({ channelId }) => {
        asked.push(channelId);
        return { channelId, lastReadId: '100', lastMessageId: '103', mentionCount: 1 };
      },
    });
    gateway.emit('event', { op: 'event', t: 'message_delete', d: { id: '105', channelId: '11' }, seq: 2 });
    gateway.emit('event', { op: 'event', t: 'message_delete', d: { id: '104', channelId: '11' }, seq: 3 });
    // A message before the last one read changes no count: no question for it.
    gateway.emit('event', { op: 'event', t: 'message_delete', d: { id: '90', channelId: '50' }, seq: 4 });
    await vi.advanceTimersByTimeAsync(READ_STATE_REFRESH_MS);
    expect(asked).toEqual(['11']);
    expect(store.getState().readStates['11']).toEqual({
      channelId: '11',
      lastReadId: '100',
      lastMessageId: '103',
      mentionCount: 1,
    });
  });

  it('does not ask again when a read message is deleted', async () => {
    vi.useFakeTimers();
    const asked: string[] = [];
    const { gateway } = await started(
      {
        getReadState: async ({ channelId }) => {
          asked.push(channelId);
          return unread;
        },
      },
      [{ ...unread, lastReadId: '105', mentionCount: 0 }],
    );
    gateway.emit('event', { op: 'event', t: 'message_delete', d: { id: '104', channelId: '11' }, seq: 2 });
    await vi.advanceTimersByTimeAsync(READ_STATE_REFRESH_MS * 2);
    expect(asked).toEqual([]);
  });

  it('saves an override and follows the answer; back to default removes it', async () => {
    const answers: NotificationOverride[] = [
      { targetId: '10', mode: null, muted: true, mutedUntil: '2026-01-01T01:00:00.000Z' },
      { targetId: '10', mode: null, muted: false, mutedUntil: null },
    ];
    const bodies: unknown[] = [];
    const { store, session } = await started({
      updateNotificationOverride: async (body) => {
        bodies.push(body);
        const next = answers.shift();
        if (!next) throw new Error('no answer');
        return next;
      },
    });
    await session.setNotificationOverride('10', { mute: '1h' });
    expect(store.getState().notificationOverrides['10']?.muted).toBe(true);
    await session.setNotificationOverride('10', { mute: null });
    expect(store.getState().notificationOverrides).toEqual({});
    expect(bodies).toEqual([
      { targetId: '10', mute: '1h' },
      { targetId: '10', mute: null },
    ]);
  });
});

describe('ChatSession typing', () => {
  it('sends typing at most once per throttle window per channel', async () => {
    const { gateway, session, advance } = setup();
    await session.start();
    session.typing('11');
    session.typing('11');
    advance(TYPING_THROTTLE_MS - 1);
    session.typing('11');
    advance(2);
    session.typing('11');
    session.typing('12');
    expect(gateway.fireAndForget).toEqual([
      { op: 'typing', d: { channelId: '11' } },
      { op: 'typing', d: { channelId: '11' } },
      { op: 'typing', d: { channelId: '12' } },
    ]);
  });
});

describe('ChatSession onEvent', () => {
  it('hands one event type to its listener, after the store took it in', async () => {
    const { gateway, store, session } = setup();
    await session.start();
    const seen: Array<{ id: string; held: number }> = [];
    session.onEvent('message_create', (m) => seen.push({ id: m.id, held: items(store, m.channelId).length }));
    const message: Message = {
      id: '500',
      channelId: '11',
      author: { id: '2', username: 'ann' },
      content: 'hi',
      mentions: [],
      createdAt: '2026-01-01T00:00:00.000Z',
      editedAt: null,
    };
    gateway.emit('event', {
      op: 'event',
      t: 'typing_start',
      d: { channelId: '11', userId: '2', username: 'bob' },
      seq: 1,
    });
    gateway.emit('event', { op: 'event', t: 'message_create', d: message, seq: 2 });
    expect(seen).toEqual([{ id: '500', held: 1 }]);
  });
});
