import type { Presence } from '@decentra/protocol';
import type { Bus, BusMessage, DispatchMessage } from '../../bus/bus.js';
import { dispatch } from '../../bus/bus.js';
import type { SessionsChangedReason } from '../../gateway/sessions.js';
import type { Logger } from '../../infra/logger.js';
import type { Db } from '../../storage/db.js';
import { serverMemberIds, visibleUsers } from './presence.repo.js';

export interface PresenceOptions {
  /** How long a dropped connection may stay away before its user is announced offline. */
  offlineGraceMs: number;
}

export const DEFAULT_PRESENCE: PresenceOptions = { offlineGraceMs: 25_000 };

/**
 * A user is online while at least one socket of theirs is open. The last socket closing cleanly
 * makes them offline at once; the last one dropping gives them `offlineGraceMs` to resume first.
 * Changes go as `presence_update` to their friends and co-members (one query per change, none
 * per recipient). Kept per instance: several instances would need Redis to agree.
 */
export class PresenceService {
  private readonly online = new Set<string>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Announcements go out one after another, so a quick online→offline is never told backwards. */
  private announcing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly log: Logger,
    private readonly options: PresenceOptions = DEFAULT_PRESENCE,
  ) {}

  isOnline(userId: string): boolean {
    return this.online.has(userId);
  }

  /** Fed by the gateway's sessions-changed hook. */
  readonly onSessionsChanged = (
    userId: string,
    _sessions: number,
    reason: SessionsChangedReason,
    attached: number,
  ) => {
    if (attached > 0) {
      this.cancelGrace(userId);
      if (!this.online.has(userId)) this.set(userId, 'online');
      return;
    }
    if (!this.online.has(userId)) return;
    if (reason === 'detached') {
      if (!this.graceTimers.has(userId)) {
        const timer = setTimeout(() => {
          this.graceTimers.delete(userId);
          if (this.online.has(userId)) this.set(userId, 'offline');
        }, this.options.offlineGraceMs);
        timer.unref();
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

  private introduceFriend(message: DispatchMessage): Promise<void> {
    const friend = (message.d as { id: string }).id;
    if (!this.online.has(friend) || message.to.kind !== 'users') return Promise.resolve();
    return this.bus.publish([dispatch('presence_update', { userId: friend, status: 'online' }, message.to)]);
  }

  private async introduceMember(message: DispatchMessage): Promise<void> {
    const { serverId, member } = message.d as { serverId: string; member: { user: { id: string } } };
    const joiner = member.user.id;
    const events: BusMessage[] = [];
    if (this.online.has(joiner)) {
      events.push({
        ...dispatch('presence_update', { userId: joiner, status: 'online' }, message.to),
        except: joiner,
      });
    }
    for (const id of await serverMemberIds(this.db, serverId)) {
      if (id !== joiner && this.online.has(id)) {
        events.push(
          dispatch('presence_update', { userId: id, status: 'online' }, { kind: 'users', userIds: [joiner] }),
        );
      }
    }
    await this.bus.publish(events);
  }

  /** Runs after the event that caused it has been delivered, and never throws. */
  private afterTurn(work: () => Promise<void>): void {
    setImmediate(() => {
      work().catch((err: unknown) => this.log.warn({ err }, 'presence introduction failed'));
    });
  }

  /** The current presences of everyone `userId` can see (those not listed are offline). */
  async visiblePresences(userId: bigint): Promise<Presence[]> {
    const ids = await visibleUsers(this.db, userId);
    return ids.filter((id) => this.online.has(id)).map((id) => ({ userId: id, status: 'online' as const }));
  }

  close(): void {
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  private cancelGrace(userId: string): void {
    const timer = this.graceTimers.get(userId);
    if (timer) clearTimeout(timer);
    this.graceTimers.delete(userId);
  }

  private set(userId: string, status: Presence['status']): void {
    if (status === 'online') this.online.add(userId);
    else this.online.delete(userId);
    this.announcing = this.announcing.then(() => this.announce({ userId, status }));
  }

  private async announce(presence: Presence): Promise<void> {
    try {
      const audience = await visibleUsers(this.db, BigInt(presence.userId));
      if (audience.length === 0) return;
      await this.bus.publish([dispatch('presence_update', presence, { kind: 'users', userIds: audience })]);
    } catch (err) {
      this.log.warn({ err }, 'presence announcement failed');
    }
  }
}
