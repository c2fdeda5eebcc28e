import type { Presence } from '@decentra/protocol';
import type { Logger } from '../../infra/logger.js';
import { type Clock, systemClock, type TimerHandle } from '../../kernel/clock.js';
import type { Commands } from '../../kernel/commands.js';
import {
  type BusMessage,
  type DispatchOf,
  dispatch,
  type PresenceMessage,
  toUsers,
} from '../../kernel/events.js';
import { outcome } from '../../kernel/outcome.js';
import { ReadBatch } from '../../kernel/read-batch.js';
import type { SessionsChange } from '../../kernel/sessions.js';
import { type Db, readBatching } from '../../storage/db.js';
import { AnnouncementPace } from './announcement-pace.js';
import { type Relations, relationsOf, serverMemberIds } from './presence.repo.js';
import { PresenceHeard } from './presence-heard.js';
import { MemoryPresenceRegistry, type PresenceChange, type PresenceRegistry } from './presence-registry.js';
import { ServerMembersCache } from './server-members-cache.js';

export interface PresenceOptions {
  /** How long a dropped connection may stay away before its user is announced offline. */
  offlineGraceMs: number;
  /** With several instances: how often each says it is alive (`Instances`). */
  heartbeatMs?: number;
  /** Announcements start at most this often (announcement-pace.ts); 250 ms unless set. */
  paceMs?: number;
}

const DEFAULT_PACE_MS = 250;

export const DEFAULT_PRESENCE: PresenceOptions = { offlineGraceMs: 25_000 };

/**
 * A user is online while at least one socket of theirs is open. The last socket closing cleanly
 * makes them offline at once; the last one dropping gives them `offlineGraceMs` to resume first.
 * Changes go to their friends and co-members, through the command runner: the changes of one
 * event-loop turn (a reconnect storm brings hundreds) are decided and announced together, with one
 * query for all their friends and servers (the servers' member lists are cached) and one bus
 * message, so each recipient gets them as one event (`presence_batch` when there are several). With several instances the registry (Redis) holds
 * which instances hold a user online: a change is announced by the one instance whose hold made
 * it, and the holds of an instance that stopped beating are ended by another after the grace.
 */
export class PresenceService {
  private readonly online = new Set<bigint>();
  private readonly graceTimers = new Map<bigint, TimerHandle>();
  /** Announcements go out one after another, so a quick online→offline is never told backwards. */
  private announcing: Promise<void> = Promise.resolve();
  /** Changes not yet decided, in the order they happened (see `drain`). */
  private pending: Array<{ userId: bigint; status: Presence['status']; sockets: number }> = [];
  private drainQueued = false;
  /**
   * On the event loop's own time, not the app clock: it decides when a group goes, never
   * whether, and a test's manual clock would hold every group after the first until moved.
   */
  private readonly pace: AnnouncementPace;
  private closed = false;
  /**
   * Online by this instance's decision, announcement not yet sent: a `ready` built meanwhile leaves
   * them out, as the announcement reaches its session (indexed already) right after.
   */
  private readonly deciding = new Set<bigint>();
  private readonly members = new ServerMembersCache();
  private readonly heard = new PresenceHeard();
  /** The friends and servers of the users whose `ready` is being built this turn: one query. */
  private readonly relations: ReadBatch<bigint, Relations>;

  constructor(
    private readonly db: Db,
    private readonly commands: Commands,
    private readonly log: Logger,
    private readonly options: PresenceOptions = DEFAULT_PRESENCE,
    private readonly clock: Clock = systemClock,
    private readonly registry: PresenceRegistry = new MemoryPresenceRegistry(),
  ) {
    this.relations = new ReadBatch<bigint, Relations>(
      (userIds) => relationsOf(this.db, userIds),
      () => ({ friends: [], servers: [] }),
      readBatching(db),
    );
    this.pace = new AnnouncementPace(options.paceMs ?? DEFAULT_PACE_MS, systemClock);
  }

  /** Online with a socket on this instance (Web Push's first look, on the send path: no wait). */
  isOnline(userId: bigint): boolean {
    return this.online.has(userId);
  }

  /** Which of `userIds` are online on any instance (the registry: Redis with several). */
  onlineAmong(userIds: readonly bigint[]): Promise<Set<bigint>> {
    return this.registry.onlineAmong(userIds);
  }

  /** Fed by the gateway's sessions-changed hook. */
  readonly onSessionsChanged = ({ userId, reason, attached }: SessionsChange): void => {
    if (attached > 0) {
      this.cancelGrace(userId);
      if (!this.online.has(userId)) this.set(userId, 'online', attached);
      return;
    }
    if (!this.online.has(userId)) return;
    // A session moved to another instance is held there as soon as its client resumes: the grace
    // covers the moment in between, so nobody sees a flicker.
    if (reason === 'detached' || reason === 'moved') {
      if (!this.graceTimers.has(userId)) {
        const timer = this.clock.setTimeout(() => {
          this.graceTimers.delete(userId);
          if (this.online.has(userId)) this.set(userId, 'offline');
        }, this.options.offlineGraceMs);
        this.graceTimers.set(userId, timer);
      }
      return;
    }
    // A clean close or logout of the last socket (or a detached session expiring).
    this.cancelGrace(userId);
    this.set(userId, 'offline');
  };

  /**
   * New relationships bring presence with them: a new friend, or a new co-member, learns at once
   * who of the others is online (on the instance that holds them), without waiting for a change.
   */
  readonly onBusMessage = (message: BusMessage): void => {
    this.members.onBusMessage(message);
    if (message.kind === 'presence') {
      for (const { d, to } of message.changes)
        if (d.status === 'online') this.heard.heard(BigInt(d.userId), to);
      return;
    }
    if (message.kind !== 'dispatch') return;
    if (message.t === 'presence_update' && message.d.status === 'online' && message.to.kind === 'users') {
      this.heard.heard(BigInt(message.d.userId), message.to.userIds);
    }
    if (message.t === 'friend_add') this.afterTurn(() => this.introduceFriend(message));
    else if (message.t === 'member_join') this.afterTurn(() => this.introduceMember(message));
  };

  /**
   * Fed by each heartbeat of this instance (several instances): after this instance was counted
   * dead, or a change could not be recorded (Redis away), its holds are made what it holds again;
   * dead instances' users who are online nowhere else go offline.
   */
  readonly onBeat = ({ now, rejoined }: { now: number; rejoined: boolean }): void => {
    this.announcing = this.announcing.then(async () => {
      try {
        if (rejoined || this.unrecorded) {
          this.unrecorded = false;
          await this.resync();
        }
        const reaped = await this.registry.reap(now, this.options.offlineGraceMs);
        await this.announce(reaped.map(([userId, change]) => ({ userId, status: 'offline', change })));
      } catch (err) {
        this.unrecorded = true;
        this.log.warn({ err }, 'presence heartbeat failed');
      }
    });
  };

  /** Set when a change could not be recorded: the next heartbeat puts the registry right. */
  private unrecorded = false;

  private async resync(): Promise<void> {
    const held = new Set(await this.registry.held());
    const changes: Announcement[] = [];
    for (const userId of this.online) {
      const change = await this.registry.up(userId, 0);
      if (change) changes.push({ userId, status: 'online', change });
    }
    for (const userId of held) {
      if (this.online.has(userId)) continue;
      const change = await this.registry.down(userId);
      if (change) changes.push({ userId, status: 'offline', change });
    }
    await this.announce(changes);
  }

  /** The current presences of everyone `userId` can see (those not listed are offline). */
  async visiblePresences(userId: bigint): Promise<Presence[]> {
    // Called in the turn the session was indexed: what is heard from here on reaches it as events.
    const began = this.heard.begin();
    try {
      const ids = [...((await this.audiences([userId], true)).get(userId) ?? [])];
      const onlineIds = await this.registry.onlineAmong(ids);
      const viewer = userId.toString();
      return ids
        .filter(
          (id) => onlineIds.has(id) && !this.deciding.has(id) && !this.heard.toldSince(began, id, viewer),
        )
        .map((id) => online(id));
    } finally {
      this.heard.end(began);
    }
  }

  /**
   * Everyone each of `userIds` sees and is seen by: friends and co-members (themselves left out),
   * from one query and the cached member lists.
   */
  private async audiences(userIds: readonly bigint[], batched = false): Promise<Map<bigint, Set<bigint>>> {
    const relations = batched
      ? new Map(await Promise.all(userIds.map(async (id) => [id, await this.relations.load(id)] as const)))
      : await relationsOf(this.db, userIds);
    const lists = new Map<bigint, ReadonlySet<bigint>>();
    for (const rel of relations.values()) {
      for (const serverId of rel.servers) {
        if (lists.has(serverId)) continue;
        lists.set(serverId, await this.membersOf(serverId));
      }
    }
    const out = new Map<bigint, Set<bigint>>();
    for (const [userId, rel] of relations) {
      const seen = new Set<bigint>(rel.friends);
      for (const serverId of rel.servers) for (const id of lists.get(serverId) ?? []) seen.add(id);
      seen.delete(userId);
      out.set(userId, seen);
    }
    return out;
  }

  private async membersOf(serverId: bigint): Promise<ReadonlySet<bigint>> {
    const cached = this.members.get(serverId);
    if (cached) return cached;
    const generation = this.members.generation;
    const ids = await serverMemberIds(this.db, serverId);
    this.members.remember(serverId, ids, generation);
    return new Set(ids);
  }

  /** Resolves once every change so far has been decided and announced (tests, shutdown). */
  settled(): Promise<void> {
    // This turn's changes are flushed in a setImmediate queued before this one.
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.announcing);
  }

  close(): void {
    this.closed = true;
    this.pace.release();
    for (const timer of this.graceTimers.values()) timer.cancel();
    this.graceTimers.clear();
  }

  private async introduceFriend(message: DispatchOf<'friend_add'>): Promise<void> {
    const friend = BigInt(message.d.id);
    if (!this.online.has(friend) || message.to.kind !== 'users') return;
    await this.commands.run(() =>
      outcome(undefined, [dispatch('presence_update', online(friend), message.to)]),
    );
  }

  private async introduceMember(message: DispatchOf<'member_join'>): Promise<void> {
    const joiner = BigInt(message.d.member.user.id);
    const events: BusMessage[] = [];
    if (this.online.has(joiner)) events.push(dispatch('presence_update', online(joiner), message.to, joiner));
    for (const id of await this.membersOf(BigInt(message.d.serverId))) {
      if (id !== joiner && this.online.has(id))
        events.push(dispatch('presence_update', online(id), toUsers(joiner)));
    }
    await this.commands.run(() => outcome(undefined, events));
  }

  /** Runs after the event that caused it has been delivered, and never throws. */
  private afterTurn(work: () => Promise<void>): void {
    setImmediate(() => {
      work().catch((err: unknown) => this.log.warn({ err }, 'presence introduction failed'));
    });
  }

  private cancelGrace(userId: bigint): void {
    this.graceTimers.get(userId)?.cancel();
    this.graceTimers.delete(userId);
  }

  private set(userId: bigint, status: Presence['status'], sockets = 0): void {
    if (status === 'online') this.online.add(userId);
    else this.online.delete(userId);
    this.pending.push({ userId, status, sockets });
    if (this.drainQueued) return;
    this.drainQueued = true;
    setImmediate(() => {
      this.announcing = this.announcing.then(async () => {
        await this.pace.turn();
        await this.drain();
      });
    });
  }

  /**
   * Decides the changes waiting, in order (the registry), then announces those that changed. The
   * changes made while an announcement is under way, or within its pace window, wait for it and go
   * out together next, so a storm's announcements are a few big groups: one event per socket each.
   */
  private async drain(): Promise<void> {
    this.drainQueued = false;
    if (this.closed) return;
    const batch = this.pending;
    this.pending = [];
    const changes: Announcement[] = [];
    for (const { userId, status, sockets } of batch) {
      try {
        const registry = this.registry;
        const change = status === 'online' ? await registry.up(userId, sockets) : await registry.down(userId);
        if (change) changes.push({ userId, status, change });
        if (change && status === 'online') this.deciding.add(userId);
      } catch (err) {
        this.unrecorded = true;
        this.log.warn({ err }, 'presence change not recorded');
      }
    }
    try {
      await this.announce(changes);
    } finally {
      for (const { userId } of changes) this.deciding.delete(userId);
    }
  }

  private async announce(changes: readonly Announcement[]): Promise<void> {
    if (changes.length === 0) return;
    try {
      const audiences = await this.audiences([...new Set(changes.map((c) => c.userId))]);
      const told: PresenceMessage['changes'][number][] = [];
      for (const { userId, status, change } of changes) {
        const audience = audiences.get(userId);
        if (!audience || audience.size === 0) continue;
        // Another instance decided a later change meanwhile: its announcement tells the truth, this one would undo it.
        if (!(await this.registry.isLatest(userId, change))) continue;
        told.push({ d: { userId: userId.toString(), status }, to: [...audience].map(String) });
      }
      const message: PresenceMessage = { kind: 'presence', changes: told };
      if (told.length > 0) await this.commands.run(() => outcome(undefined, [message]));
    } catch (err) {
      this.log.warn({ err }, 'presence announcement failed');
    }
  }
}

interface Announcement {
  userId: bigint;
  status: Presence['status'];
  change: PresenceChange;
}

const online = (userId: bigint): Presence => ({ userId: userId.toString(), status: 'online' });
