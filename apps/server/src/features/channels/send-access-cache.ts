import type { Bus } from '../../bus/bus.js';
import type { BusMessage } from '../../kernel/events.js';
import type { ChannelRow } from '../../storage/rows.js';

/** What sending to a server channel needs to know about it; none of it changes while it exists. */
export interface CachedChannel {
  type: ChannelRow['type'];
  serverId: bigint;
}

/** Past this many entries a map is emptied and refills from the database: a bound, not an LRU. */
const MAX_ENTRIES = 100_000;

/**
 * The answers the message path needs on every send, kept in memory so that a send costs no
 * database read: which server a channel is in (and its type), and who is a member of a server
 * (known members only; a miss asks the database). Filled on a miss, forgotten on the bus messages
 * that change them, on every instance: a member removed (`unsubscribe`), a channel deleted
 * (`channel_delete`), a server deleted (`drop_topic`). Ownership and permissions are not kept:
 * sending needs neither.
 */
export class SendAccessCache {
  private readonly channels = new Map<string, CachedChannel>();
  private readonly members = new Map<string, Set<string>>();
  /**
   * Bumped whenever anything is forgotten. A fill reads it before its query and is dropped if it
   * changed meanwhile, so a removal racing a fill is never undone (removals are rare: one counter).
   */
  private removals = 0;

  constructor(bus: Bus) {
    bus.subscribe((message) => this.onBusMessage(message));
  }

  channel(channelId: bigint): CachedChannel | undefined {
    return this.channels.get(channelId.toString());
  }

  isMember(serverId: bigint, userId: bigint): boolean {
    return this.members.get(serverId.toString())?.has(userId.toString()) ?? false;
  }

  /** Read before asking the database; hand it back to `remember` with the answer. */
  get generation(): number {
    return this.removals;
  }

  /** What the database said, read at `generation`: the channel, and that the user is a member. */
  remember(channelId: bigint, channel: CachedChannel, userId: bigint, generation: number): void {
    if (generation !== this.removals) return;
    if (this.channels.size >= MAX_ENTRIES) this.channels.clear();
    this.channels.set(channelId.toString(), channel);
    const key = channel.serverId.toString();
    let set = this.members.get(key);
    if (!set) {
      if (this.members.size >= MAX_ENTRIES) this.members.clear();
      set = new Set();
      this.members.set(key, set);
    }
    set.add(userId.toString());
  }

  private onBusMessage(message: BusMessage): void {
    switch (message.kind) {
      case 'unsubscribe':
        if (message.topic.kind === 'server') this.forgetMembers(message.topic.serverId, message.userIds);
        return;
      case 'drop_topic':
        if (message.topic.kind === 'server') this.forgetServer(message.topic.serverId);
        return;
      case 'dispatch':
        if (message.t === 'channel_delete') {
          this.removals++;
          this.channels.delete(message.d.id);
        }
        return;
      case 'gap':
        this.removals++;
        this.channels.clear();
        this.members.clear();
        return;
      default:
        return;
    }
  }

  private forgetMembers(serverId: string, userIds: readonly string[]): void {
    this.removals++;
    const set = this.members.get(serverId);
    if (set) for (const id of userIds) set.delete(id);
  }

  private forgetServer(serverId: string): void {
    this.removals++;
    this.members.delete(serverId);
    for (const [id, channel] of this.channels) {
      if (channel.serverId.toString() === serverId) this.channels.delete(id);
    }
  }
}
