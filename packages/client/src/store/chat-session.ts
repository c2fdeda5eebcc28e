import type {
  Attachment,
  Channel,
  ChannelType,
  EventFrameOf,
  EventName,
  GatewayEvent,
  Member,
  NotificationOverride,
  Permission,
  ReadState,
  ReadyData,
  Server,
  UpdateNotificationOverrideBody,
  UserSettings,
  VoiceSignalPayload,
} from '@decentra/protocol';
import { compareIds, ERROR_DETAILS, isUnread } from '@decentra/protocol';
import type { GatewayClient } from '../gateway.js';
import { GatewayRequestError } from '../gateway.js';
import { ApiError, type RestClient } from '../rest.js';
import { laterReadState, reduceEvent, withChannel, withMember } from './apply-event.js';
import { applyReady, type ChatStore, withDm, withServer, withUsers } from './chat-store.js';
import {
  addPending,
  EMPTY_CHANNEL,
  mergeMessages,
  newestId,
  oldestId,
  PENDING_PREFIX,
  prependPage,
  type ReplyOptions,
  removeMessage,
  setPendingState,
  setWaiting,
} from './message-list.js';
import { appendNewer, aroundWindow, mergeLive, towardsPresent } from './message-window.js';
import type { OutboxKeeper, SavedSend } from './saved-outbox.js';

export type GatewayLike = Pick<GatewayClient, 'on' | 'request' | 'send' | 'connect' | 'close' | 'state'>;
export type RestLike = Pick<
  RestClient,
  | 'listMessages'
  | 'editMessage'
  | 'deleteMessage'
  | 'addReaction'
  | 'removeReaction'
  | 'createServer'
  | 'joinServer'
  | 'renameServer'
  | 'createChannel'
  | 'renameChannel'
  | 'openDm'
  | 'listMembers'
  | 'updateMember'
  | 'putSettings'
  | 'getReadState'
  | 'updateNotificationOverride'
>;

export const PAGE_SIZE = 50;
/** `typing` is sent at most this often while someone types. */
export const TYPING_THROTTLE_MS = 3_000;
/** A deleted unread message: its channel's read state is asked for again after this (once per burst). */
export const READ_STATE_REFRESH_MS = 500;

/** The wait a `rate_limited` refusal names (`details.retryAfter`, seconds), in ms. */
function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof GatewayRequestError)) return undefined;
  const parsed = ERROR_DETAILS.rate_limited.safeParse(err.details);
  const seconds = parsed.success ? parsed.data.retryAfter : undefined;
  return seconds === undefined ? undefined : seconds * 1000;
}
/** Errors after which a resend cannot help; anything else is retried. */
const FINAL_ERRORS = new Set([
  'invalid_input',
  'forbidden',
  'not_found',
  'unauthorized',
  'payload_too_large',
]);

interface Outgoing {
  channelId: string;
  content: string;
  createdAt: string;
  reply?: ReplyOptions;
  /** Files uploaded for it: the send carries their ids, the pending copy shows them. */
  attachments?: Attachment[];
}

/** A failed catch-up page is asked for again after this, doubling up to CATCH_UP_MAX_WAIT_MS. */
const CATCH_UP_RETRY_MS = 500;
const CATCH_UP_MAX_WAIT_MS = 10_000;

/** Without a retry-after from the server, a rate-limited send waits this long. */
const RATE_LIMIT_WAIT_MS = 1_500;

/**
 * Keeps a ChatStore in step with the server: `ready` and events into the store, history pages,
 * and an outbox that sends every message exactly once and in order: shown at once as pending,
 * sent one at a time with a nonce, resent with the same nonce after a reconnect or a reload (the
 * server answers the first copy), and after a lost session the open channels are caught up with
 * `after`. With `keepOutbox` the outbox is kept per user (`localOutbox`) across reloads.
 */
export class ChatSession {
  private readonly outbox = new Map<string, Outgoing>();
  /** The one message on its way (sending one at a time keeps the order under the rate limit). */
  private sending: string | undefined;
  private keeper: OutboxKeeper | undefined;
  /** When the rate limit lets the queue go on, while it holds it (session clock). */
  private waitUntil = 0;
  private readonly lastTyping = new Map<string, number>();
  private readonly loadingOlder = new Set<string>();
  private readonly loadingNewer = new Set<string>();
  /** Bumped when a channel's window is replaced (a jump): a page asked for the old one is dropped. */
  private readonly windows = new Map<string, number>();
  private readonly unsubscribe: Array<() => void> = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Acks on their way, by channel, and the newer one to send when it is answered. */
  private readonly acking = new Map<string, string | null>();
  private readonly refreshing = new Map<string, ReturnType<typeof setTimeout>>();
  /** Acks that could not go out (the socket was down), by channel: sent once it is back. */
  private readonly unsentAcks = new Map<string, string>();
  /** Bumped by every catch-up and by stop(): a retry of an older one gives up. */
  private catchUpRound = 0;

  constructor(
    readonly store: ChatStore,
    private readonly gateway: GatewayLike,
    private readonly rest: RestLike,
    private readonly now: () => number = Date.now,
    /** Where to keep the outbox of a user across page loads (read on the first `ready`). */
    private readonly keepOutbox?: (userId: string) => OutboxKeeper,
  ) {
    this.unsubscribe.push(
      gateway.on('state', (connection) => store.setState({ connection })),
      gateway.on('ready', (data) => this.onReady(data)),
      gateway.on('resumed', () => {
        this.flush();
        this.resendAcks(false);
      }),
      gateway.on('reset', () => void this.catchUp()),
      gateway.on('event', (frame) => {
        store.setState((s) => reduceEvent(s, frame, this.now()));
        if (frame.t === 'message_delete') this.onDeleted(frame.d.channelId, frame.d.id);
      }),
    );
  }

  start(): Promise<ReadyData> {
    return this.gateway.connect();
  }

  stop(): void {
    this.catchUpRound += 1;
    clearTimeout(this.retryTimer);
    for (const timer of this.refreshing.values()) clearTimeout(timer);
    this.refreshing.clear();
    for (const off of this.unsubscribe.splice(0)) off();
    this.gateway.close();
  }

  /**
   * Shows the message at once and sends it; returns its nonce. `attachments` are files already
   * uploaded (`POST /channels/:id/attachments`); with them the content may be empty.
   */
  send(
    channelId: string,
    content: string,
    reply?: ReplyOptions,
    attachments?: readonly Attachment[],
  ): string {
    const nonce = newNonce();
    this.queue({
      nonce,
      channelId,
      content,
      createdAt: new Date(this.now()).toISOString(),
      ...(reply ? { reply } : {}),
      ...(attachments?.length ? { attachments: [...attachments] } : {}),
    });
    // Writing while reading old history: the message belongs at the present, so go back there.
    if (this.store.getState().messages[channelId]?.hasNewer)
      void this.jumpToPresent(channelId).catch(() => {});
    this.flush();
    // The others stop showing me as typing when the message lands: the next keystroke tells them again.
    this.lastTyping.delete(channelId);
    return nonce;
  }

  /** Sends a failed message again (same nonce: never a second copy). */
  retry(nonce: string): void {
    const message = this.findPending(nonce);
    if (!message) return;
    this.updateChannel(message.channelId, (list) => setPendingState(list, nonce, 'sending'));
    this.outbox.set(nonce, {
      channelId: message.channelId,
      content: message.content,
      createdAt: message.createdAt,
      ...(message.replyOptions ? { reply: message.replyOptions } : {}),
      ...(message.attachments?.length ? { attachments: message.attachments } : {}),
    });
    this.save();
    this.flush();
  }

  /** Drops a failed message that will not be sent. */
  discard(nonce: string): void {
    const message = this.findPending(nonce);
    if (this.outbox.delete(nonce)) this.save();
    if (!message) return;
    this.updateChannel(message.channelId, (list) => ({
      ...list,
      items: list.items.filter((m) => m.id !== PENDING_PREFIX + nonce),
    }));
  }

  /** Messages waiting for their ack, by nonce (for tests and the UI). */
  get pendingNonces(): string[] {
    return [...this.outbox.keys()];
  }

  /** Loads the newest page of a channel once (when it is opened). */
  async open(channelId: string): Promise<void> {
    const list = this.store.getState().messages[channelId];
    if (list?.loaded) return;
    const window = this.windowOf(channelId);
    const page = await this.rest.listMessages({ channelId, limit: PAGE_SIZE });
    if (window !== this.windowOf(channelId)) return;
    // A jump that landed meanwhile holds a window this newest page is not contiguous with.
    this.updateChannel(channelId, (l) =>
      l.hasNewer ? l : { ...mergeMessages(l, page), loaded: true, hasOlder: page.length === PAGE_SIZE },
    );
  }

  /** Loads the page before the oldest message held; false when there is nothing older. */
  async loadOlder(channelId: string): Promise<boolean> {
    const list = this.store.getState().messages[channelId] ?? EMPTY_CHANNEL;
    if (!list.hasOlder || this.loadingOlder.has(channelId)) return false;
    const before = oldestId(list);
    if (!before) return false;
    this.loadingOlder.add(channelId);
    try {
      const window = this.windowOf(channelId);
      const page = await this.rest.listMessages({ channelId, before, limit: PAGE_SIZE });
      if (window !== this.windowOf(channelId)) return false;
      this.updateChannel(channelId, (l) => prependPage(l, page, page.length === PAGE_SIZE));
      return page.length > 0;
    } finally {
      this.loadingOlder.delete(channelId);
    }
  }

  /**
   * Makes the window hold `messageId` (a search result): when it is not held already, the window
   * becomes the page around it, detached from the present (message-window.ts). True when held.
   */
  async jumpTo(channelId: string, messageId: string): Promise<boolean> {
    const held = (): boolean =>
      (this.store.getState().messages[channelId]?.items ?? []).some((m) => m.id === messageId);
    if (held()) return true;
    const window = this.newWindow(channelId);
    const page = await this.rest.listMessages({ channelId, around: messageId, limit: PAGE_SIZE });
    if (window !== this.windowOf(channelId)) return held();
    this.updateChannel(channelId, (l) => aroundWindow(l, page, messageId, PAGE_SIZE));
    return held();
  }

  /** Loads the page after the newest message of a detached window; false when there is nothing newer. */
  async loadNewer(channelId: string): Promise<boolean> {
    const list = this.store.getState().messages[channelId] ?? EMPTY_CHANNEL;
    const after = newestId(list);
    if (!list.hasNewer || !after || this.loadingNewer.has(channelId)) return false;
    this.loadingNewer.add(channelId);
    try {
      const window = this.windowOf(channelId);
      const page = await this.rest.listMessages({ channelId, after, limit: PAGE_SIZE });
      if (window !== this.windowOf(channelId)) return false;
      const full = page.length === PAGE_SIZE;
      this.updateChannel(channelId, (l) => appendNewer(l, page, full));
      // Reached the present: a message sent while that page was on its way was left out as live
      // (the window was still detached) and may not be in the page either; one more read after
      // switching to live closes that gap (anything later arrives live).
      if (!full) await this.catchUpChannel(channelId);
      return page.length > 0;
    } finally {
      this.loadingNewer.delete(channelId);
    }
  }

  /** Leaves a detached window for the newest page ("Jump to present"). */
  async jumpToPresent(channelId: string): Promise<void> {
    if (!this.store.getState().messages[channelId]?.hasNewer) return;
    this.newWindow(channelId);
    this.updateChannel(channelId, towardsPresent);
    await this.open(channelId);
  }

  /** Edits a message of mine; the answer (and later its event) updates the store. */
  async edit(channelId: string, messageId: string, content: string): Promise<void> {
    const message = await this.rest.editMessage({ channelId, messageId, content });
    this.updateChannel(channelId, (list) => mergeMessages(list, [message]));
  }

  async remove(channelId: string, messageId: string): Promise<void> {
    await this.rest.deleteMessage({ channelId, messageId });
    this.updateChannel(channelId, (list) => removeMessage(list, messageId));
  }

  /** Adds or takes back my reaction; the store follows the `reaction_*` event (none for a no-op). */
  async react(channelId: string, messageId: string, emoji: string, on: boolean): Promise<void> {
    if (on) await this.rest.addReaction({ channelId, messageId, emoji });
    else await this.rest.removeReaction({ channelId, messageId, emoji });
  }

  // Actions whose answer goes into the store at once (its event brings the same a moment later,
  // and applying both changes nothing): the screen never waits on the gateway to show what it did.

  async createServer(name: string): Promise<Server> {
    const server = await this.rest.createServer({ name });
    this.store.setState((s) => withServer(s, server));
    return server;
  }

  async joinServer(inviteCode: string): Promise<Server> {
    const server = await this.rest.joinServer({ inviteCode });
    this.store.setState((s) => withServer(s, server));
    return server;
  }

  async renameServer(serverId: string, name: string): Promise<void> {
    const updated = await this.rest.renameServer({ serverId, name });
    this.store.setState((s) => {
      const current = s.servers[serverId];
      return current ? { servers: { ...s.servers, [serverId]: { ...current, name: updated.name } } } : {};
    });
  }

  async createChannel(serverId: string, name: string, type: Exclude<ChannelType, 'dm'>): Promise<Channel> {
    const channel = await this.rest.createChannel({ serverId, name, type });
    this.store.setState((s) => withChannel(s, channel));
    return channel;
  }

  async renameChannel(channelId: string, name: string): Promise<void> {
    const channel = await this.rest.renameChannel({ channelId, name });
    this.store.setState((s) => withChannel(s, channel));
  }

  /** The DM with a friend (made on first open), in the store. */
  async openDm(userId: string): Promise<Channel> {
    const dm = await this.rest.openDm({ userId });
    this.store.setState((s) => withDm(s, dm));
    return dm;
  }

  /** Fetches a server's member list into the store (events keep it current afterwards). */
  async loadMembers(serverId: string): Promise<void> {
    const members = await this.rest.listMembers({ serverId });
    this.store.setState((s) => ({
      members: { ...s.members, [serverId]: members },
      users: withUsers(
        s.users,
        members.map((m) => m.user),
      ),
    }));
  }

  /**
   * Grants or withdraws one permission. The member changes in the store at once (a box that
   * waits on the server reads as a missed click) and goes back as it was if the server refuses.
   */
  async setPermission(serverId: string, member: Member, key: Permission, value: boolean): Promise<void> {
    const put = (m: Member) => this.store.setState((s) => withMember(s, serverId, m));
    put({ ...member, permissions: { ...member.permissions, [key]: value } });
    try {
      put(await this.rest.updateMember({ serverId, userId: member.user.id, permissions: { [key]: value } }));
    } catch (err) {
      put(member);
      throw err;
    }
  }

  /** Tells the others that I am typing, at most once per TYPING_THROTTLE_MS per channel. */
  typing(channelId: string): void {
    const last = this.lastTyping.get(channelId) ?? 0;
    const now = this.now();
    if (now - last < TYPING_THROTTLE_MS) return;
    if (this.gateway.send('typing', { channelId })) this.lastTyping.set(channelId, now);
  }

  /**
   * Marks a channel read up to a message: in the store at once (no badge lingers while the server
   * answers), then on the server, whose answer (the mentions after it, if any) replaces it. One
   * ack per channel at a time; one asked for meanwhile is sent when the first is answered.
   */
  ack(channelId: string, messageId: string): void {
    const current = this.store.getState().readStates[channelId];
    if (current?.lastReadId && compareIds(current.lastReadId, messageId) >= 0) return;
    this.store.setState((s) => ({
      readStates: { ...s.readStates, [channelId]: readUpTo(s, channelId, messageId) },
    }));
    if (this.acking.has(channelId)) {
      this.acking.set(channelId, messageId);
      return;
    }
    this.sendAck(channelId, messageId);
  }

  private sendAck(channelId: string, messageId: string): void {
    this.acking.set(channelId, null);
    const done = () => {
      const next = this.acking.get(channelId);
      this.acking.delete(channelId);
      if (next) this.sendAck(channelId, next);
    };
    this.gateway.request('ack', { channelId, messageId }).then(
      (state) => {
        this.store.setState((s) => {
          const held = s.readStates[channelId];
          const next = laterReadState(held, state);
          return next === held ? {} : { readStates: { ...s.readStates, [channelId]: next } };
        });
        done();
      },
      (err: unknown) => {
        // The socket was down or the reply lost: sent again when it is back (after a resume no
        // `ready` would bring the server's state, and the store already says read). A refusal is final.
        const code = err instanceof GatewayRequestError ? err.code : 'internal';
        if (code === 'disconnected' || code === 'timeout') this.keepUnsent(channelId, messageId);
        done();
      },
    );
  }

  private keepUnsent(channelId: string, messageId: string): void {
    const kept = this.unsentAcks.get(channelId);
    if (!kept || compareIds(messageId, kept) > 0) this.unsentAcks.set(channelId, messageId);
  }

  /**
   * The acks that could not go out, once the socket is back: after a resume as they were; after a
   * `ready` (which replaced the read states with the server's) through `ack`, read at once again.
   */
  private resendAcks(afterReady: boolean): void {
    const unsent = [...this.unsentAcks];
    this.unsentAcks.clear();
    for (const [channelId, messageId] of unsent) {
      if (!this.store.getState().channels[channelId]) continue;
      if (afterReady) this.ack(channelId, messageId);
      else if (this.acking.has(channelId)) this.acking.set(channelId, messageId);
      else this.sendAck(channelId, messageId);
    }
  }

  /**
   * A read state asked for after a delete, unless the store already read further (at the same
   * last-read message it replaces the held one: the newest unread message may be the one gone).
   */
  private putRefreshedState(state: ReadState): void {
    this.store.setState((s) => {
      const held = s.readStates[state.channelId];
      if (held?.lastReadId && state.lastReadId && compareIds(held.lastReadId, state.lastReadId) > 0)
        return {};
      return { readStates: { ...s.readStates, [state.channelId]: state } };
    });
  }

  /** An unread message gone: the count may have dropped, so the server says what is left. */
  private onDeleted(channelId: string, messageId: string): void {
    const state = this.store.getState().readStates[channelId];
    if (!state || !isUnread(state)) return;
    if (state.lastReadId && compareIds(messageId, state.lastReadId) <= 0) return;
    if (this.refreshing.has(channelId)) return;
    this.refreshing.set(
      channelId,
      setTimeout(() => {
        this.refreshing.delete(channelId);
        this.rest.getReadState({ channelId }).then(
          (fresh) => this.putRefreshedState(fresh),
          () => {},
        );
      }, READ_STATE_REFRESH_MS),
    );
  }

  /** Sets the mode or mute of a server, channel or DM; the store follows the answer. */
  async setNotificationOverride(targetId: string, change: UpdateNotificationOverrideBody): Promise<void> {
    const saved: NotificationOverride = await this.rest.updateNotificationOverride({ targetId, ...change });
    this.store.setState((s) => {
      const notificationOverrides = { ...s.notificationOverrides };
      if (saved.mode === null && !saved.muted) delete notificationOverrides[targetId];
      else notificationOverrides[targetId] = saved;
      return { notificationOverrides };
    });
  }

  async saveSettings(settings: UserSettings): Promise<void> {
    const saved = await this.rest.putSettings(settings);
    this.store.setState({ settings: saved });
  }

  // Voice and calls: each action is a gateway op; the store follows from the events it causes.

  joinVoice(channelId: string): Promise<void> {
    return this.gateway.request('voice_join', { channelId });
  }

  leaveVoice(): Promise<void> {
    return this.gateway.request('voice_leave', {});
  }

  setVoiceState(muted: boolean, deafened: boolean): Promise<void> {
    return this.gateway.request('voice_state', { muted, deafened });
  }

  async startCall(userId: string): Promise<string> {
    return (await this.gateway.request('call_start', { userId })).callId;
  }

  acceptCall(callId: string): Promise<void> {
    return this.gateway.request('call_accept', { callId });
  }

  rejectCall(callId: string): Promise<void> {
    return this.gateway.request('call_reject', { callId });
  }

  endCall(callId: string): Promise<void> {
    return this.gateway.request('call_end', { callId });
  }

  /** Relays a WebRTC description or candidate to a peer; false when the gateway is down. */
  sendSignal(to: string, payload: VoiceSignalPayload): boolean {
    return this.gateway.send('voice_signal', { to, payload });
  }

  /**
   * Listens to one gateway event type (`d` typed by the contract), after the store has taken it in
   * (the session's own listener runs first), so the listener reads the state the event made.
   */
  onEvent<T extends EventName>(t: T, listener: (d: EventFrameOf<T>['d']) => void): () => void {
    return this.gateway.on('event', (frame) => {
      if (isEventOf(frame, t)) listener(frame.d);
    });
  }

  onSignal(listener: (from: string, payload: VoiceSignalPayload) => void): () => void {
    return this.gateway.on('event', (frame) => {
      if (frame.t === 'voice_signal') listener(frame.d.from, frame.d.payload);
    });
  }

  private onReady(data: ReadyData): void {
    this.store.setState((s) => applyReady(s, data));
    if (this.keepOutbox && !this.keeper) {
      this.keeper = this.keepOutbox(data.user.id);
      // What an earlier page of mine left unsent, after what this page queued before `ready`.
      for (const saved of this.keeper.load()) if (!this.outbox.has(saved.nonce)) this.queue(saved);
      this.save();
    }
    this.flush();
    this.resendAcks(true);
  }

  /** After a lost session: fetch what was missed in every channel whose messages are held. */
  async catchUp(): Promise<void> {
    const { messages } = this.store.getState();
    const round = ++this.catchUpRound;
    // A detached window is left alone: its newer pages come as the reader scrolls down.
    await Promise.all(
      Object.entries(messages).map(async ([channelId, list]) => {
        if (list.loaded && !list.hasNewer) await this.catchUpUntilDone(channelId, round);
      }),
    );
  }

  /**
   * A page that fails on the way (the network, an instance going away behind the proxy) is asked
   * for again with backoff: a catch-up given up would leave a hole nothing else fills. Given up
   * on a refusal (the channel gone or closed to me), a newer catch-up, or stop().
   */
  private async catchUpUntilDone(channelId: string, round: number): Promise<void> {
    // From what was held when the session was lost: by a retry, messages that came live since
    // are newer than the hole.
    const from = newestId(this.store.getState().messages[channelId] ?? EMPTY_CHANNEL);
    for (let attempt = 0; round === this.catchUpRound; attempt++) {
      try {
        await this.catchUpChannel(channelId, from);
        return;
      } catch (err) {
        if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) return;
        const wait = Math.min(CATCH_UP_RETRY_MS * 2 ** attempt, CATCH_UP_MAX_WAIT_MS);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async catchUpChannel(
    channelId: string,
    from = newestId(this.store.getState().messages[channelId] ?? EMPTY_CHANNEL),
  ): Promise<void> {
    let after = from;
    if (!after) return;
    for (;;) {
      const page = await this.rest.listMessages({ channelId, after, limit: 100 });
      this.updateChannel(channelId, (l) => mergeMessages(l, page));
      const last = page[page.length - 1];
      if (page.length < 100 || !last) break;
      after = last.id;
    }
  }

  /** Shows a message as pending and puts it at the end of the outbox. */
  private queue(send: SavedSend): void {
    const me = this.store.getState().me;
    const pending = {
      id: PENDING_PREFIX + send.nonce,
      channelId: send.channelId,
      author: { id: me?.id ?? '0', username: me?.username ?? '' },
      content: send.content,
      mentions: [],
      createdAt: send.createdAt,
      editedAt: null,
      nonce: send.nonce,
      pending: 'sending' as const,
      ...(send.reply
        ? {
            reference: { messageId: send.reply.replyTo, message: send.reply.original ?? null },
            replyOptions: send.reply,
          }
        : {}),
      ...(send.attachments ? { attachments: send.attachments } : {}),
      // Queued while the rate limit holds the queue: it waits at least as long.
      ...(this.retryTimer && this.waitUntil > this.now() ? { waitUntil: this.waitUntil } : {}),
    };
    this.updateChannel(send.channelId, (list) => addPending(list, pending));
    this.outbox.set(send.nonce, {
      channelId: send.channelId,
      content: send.content,
      createdAt: send.createdAt,
      ...(send.reply ? { reply: send.reply } : {}),
      ...(send.attachments ? { attachments: send.attachments } : {}),
    });
    this.save();
  }

  private save(): void {
    this.keeper?.save([...this.outbox].map(([nonce, o]) => ({ nonce, ...o })));
  }

  /** Sends the oldest queued message, unless one is on its way, a retry is waiting or the socket is down. */
  private flush(): void {
    if (this.sending || this.retryTimer || this.gateway.state !== 'ready') return;
    const next = this.outbox.keys().next();
    if (!next.done) this.sendOne(next.value);
  }

  private sendOne(nonce: string): void {
    const item = this.outbox.get(nonce);
    if (!item) return;
    this.sending = nonce;
    const { channelId, content, reply, attachments } = item;
    const replyTo = reply ? { replyTo: reply.replyTo, mentionReplied: reply.mentionReplied } : {};
    const files = attachments ? { attachments: attachments.map((a) => a.id) } : {};
    const settled = () => {
      if (this.sending === nonce) this.sending = undefined;
    };
    this.gateway.request('send_message', { channelId, content, nonce, ...replyTo, ...files }).then(
      (message) => {
        settled();
        if (this.outbox.delete(nonce)) this.save();
        this.updateChannel(message.channelId, (list) => mergeLive(list, [message]));
        this.flush();
      },
      (err: unknown) => {
        settled();
        const code = err instanceof GatewayRequestError ? err.code : 'internal';
        if (FINAL_ERRORS.has(code)) {
          if (this.outbox.delete(nonce)) this.save();
          const reason = err instanceof Error ? err.message : 'Not sent.';
          this.updateChannel(channelId, (list) => setPendingState(list, nonce, 'failed', reason));
          this.flush();
          return;
        }
        // Disconnected: the resend after the reconnect takes it. Rate limited: wait as long as
        // the server says, showing it. Timed out or a server fault: again shortly. Same nonce.
        if (code === 'rate_limited') {
          const wait = retryAfterMs(err) ?? RATE_LIMIT_WAIT_MS;
          this.markWaiting(this.now() + wait);
          this.scheduleRetry(wait);
        } else if (code !== 'disconnected') this.scheduleRetry(3_000);
      },
    );
  }

  /** Every queued message shows when the rate limit lets the queue go on. */
  private markWaiting(until: number): void {
    this.waitUntil = until;
    const byChannel = new Map<string, Set<string>>();
    for (const [nonce, o] of this.outbox)
      byChannel.set(o.channelId, (byChannel.get(o.channelId) ?? new Set()).add(nonce));
    for (const [channelId, nonces] of byChannel)
      this.updateChannel(channelId, (list) => setWaiting(list, nonces, until));
  }

  private scheduleRetry(ms: number): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
    }, ms);
  }

  private findPending(nonce: string) {
    for (const list of Object.values(this.store.getState().messages)) {
      const m = list.items.find((x) => x.id === PENDING_PREFIX + nonce);
      if (m) return m;
    }
    return undefined;
  }

  private windowOf(channelId: string): number {
    return this.windows.get(channelId) ?? 0;
  }

  private newWindow(channelId: string): number {
    const next = this.windowOf(channelId) + 1;
    this.windows.set(channelId, next);
    return next;
  }

  private updateChannel(channelId: string, fn: (list: typeof EMPTY_CHANNEL) => typeof EMPTY_CHANNEL): void {
    this.store.setState((s) => ({
      messages: { ...s.messages, [channelId]: fn(s.messages[channelId] ?? EMPTY_CHANNEL) },
    }));
  }
}

function isEventOf<T extends EventName>(frame: GatewayEvent, t: T): frame is EventFrameOf<T> & GatewayEvent {
  return frame.t === t;
}

/** The read state after reading up to `messageId`: no mentions left unless newer messages came. */
function readUpTo(
  s: { readStates: Record<string, ReadState> },
  channelId: string,
  messageId: string,
): ReadState {
  const held = s.readStates[channelId];
  const lastMessageId = held?.lastMessageId ?? null;
  const caughtUp = lastMessageId === null || compareIds(messageId, lastMessageId) >= 0;
  return {
    channelId,
    lastReadId: messageId,
    lastMessageId,
    mentionCount: caughtUp ? 0 : (held?.mentionCount ?? 0),
  };
}

/** A fresh nonce per message (randomUUID needs a secure context; getRandomValues does not). */
function newNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
