import type { Presence } from '@decentra/protocol';
import type { Logger } from '../../infra/logger.js';
import { type Clock, systemClock, type TimerHandle } from '../../kernel/clock.js';
import type { Commands } from '../../kernel/commands.js';
import { type BusMessage, type DispatchOf, dispatch, toUsers } from '../../kernel/events.js';
import { outcome } from '../../kernel/outcome.js';
import type { SessionsChange } from '../../kernel/sessions.js';
import type { Db } from '../../storage/db.js';
import { serverMemberIds, visibleUsers } from './presence.repo.js';
import { MemoryPresenceRegistry, type PresenceChange, type PresenceRegistry } from './presence-registry.js';

export interface PresenceOptions {
  /** How long a dropped connection may stay away before its user is announced offline. */
  offlineGraceMs: number;
  /** With several instances: how often each says it is alive (`Instances`). */
  heartbeatMs?: number;
}

export const DEFAULT_PRESENCE: PresenceOptions = { offlineGraceMs: 25_000 };

/**
 * A user is online while at least one socket of theirs is open. The last socket closing cleanly
 * makes them offline at once; the last one dropping gives them `offlineGraceMs` to resume first.
 * Changes go as `presence_update` to their friends and co-members (one query per change, none
 * per recipient), through the command runner. With several instances the registry (Redis) holds
 * which instances hold a user online: a change is announced by the one instance whose hold made
 * it, and the holds of an instance that stopped beating are ended by another after the grace.
 */
export class PresenceService {
  private readonly online = new Set<bigint>();
  private readonly graceTimers = new Map<bigint, TimerHandle>();
  /** Announcements go out one after another, so a quick online→offline is never told backwards. */
  private announcing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly commands: Commands,
    private readonly log: Logger,
    private readonly options: PresenceOptions = DEFAULT_PRESENCE,
    private readonly clock: Clock = systemClock,
    private readonly registry: PresenceRegistry = new MemoryPresenceRegistry(),
  ) {}

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
    if (message.kind !== 'dispatch') return;
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
        for (const [userId, change] of await this.registry.reap(now, this.options.offlineGraceMs)) {
          await this.announce(userId, 'offline', change);
        }
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
    for (const userId of this.online) {
      const change = await this.registry.up(userId, 0);
      if (change) await this.announce(userId, 'online', change);
    }
    for (const userId of held) {
      if (this.online.has(userId)) continue;
      const change = await this.registry.down(userId);
      if (change) await this.announce(userId, 'offline', change);
    }
  }

  /** The current presences of everyone `userId` can see (those not listed are offline). */
  async visiblePresences(userId: bigint): Promise<Presence[]> {
    const ids = await visibleUsers(this.db, userId);
    const onlineIds = await this.registry.onlineAmong(ids);
    return ids.filter((id) => onlineIds.has(id)).map((id) => online(id));
  }

  /** Resolves once every change so far has been decided and announced (tests, shutdown). */
  settled(): Promise<void> {
    return this.announcing;
  }

  close(): void {
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
    for (const id of await serverMemberIds(this.db, BigInt(message.d.serverId))) {
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
    this.announcing = this.announcing.then(async () => {
      try {
        const registry = this.registry;
        const changed =
          status === 'online' ? await registry.up(userId, sockets) : await registry.down(userId);
        if (changed) await this.announce(userId, status, changed);
      } catch (err) {
        this.unrecorded = true;
        this.log.warn({ err }, 'presence change not recorded');
      }
    });
  }

  private async announce(userId: bigint, status: Presence['status'], change: PresenceChange): Promise<void> {
    try {
      const audience = await visibleUsers(this.db, userId);
      if (audience.length === 0) return;
      // Another instance decided a later change meanwhile: its announcement tells the truth, this one would undo it.
      if (!(await this.registry.isLatest(userId, change))) return;
      const d = { userId: userId.toString(), status };
      await this.commands.run(() =>
        outcome(undefined, [dispatch('presence_update', d, toUsers(...audience))]),
      );
    } catch (err) {
      this.log.warn({ err }, 'presence announcement failed');
    }
  }
}

const online = (userId: bigint): Presence => ({ userId: userId.toString(), status: 'online' });
