import type { BusMessage } from '../../kernel/events.js';

/** Past this many servers the map is emptied and refills from the database: a bound, not an LRU. */
const MAX_SERVERS = 10_000;

/**
 * Who is a member of a server, kept whole per server, so that the audience of a presence (and the
 * presences in `ready`) costs no read of every co-member per identify: a reconnect storm of a
 * server's N members read its N members N times. Filled on a miss; kept true by the bus messages
 * every membership change sends, on every instance: `subscribe` to a server's topic (created,
 * joined), `unsubscribe` (left, kicked, account deleted), `drop_topic` (server deleted), and the
 * Redis bus's local `gap` (messages may have been lost: forget everything).
 */
export class ServerMembersCache {
  private readonly members = new Map<string, Set<bigint>>();
  /**
   * Bumped on every change heard. A fill reads it before its query and is not kept if it moved
   * meanwhile: the change may have committed after the query's snapshot and before its answer.
   */
  private changes = 0;

  /** The cached members of `serverId`, or undefined (ask the database, then `remember`). */
  get(serverId: bigint): ReadonlySet<bigint> | undefined {
    return this.members.get(serverId.toString());
  }

  /** Read before asking the database; hand it back to `remember` with the answer. */
  get generation(): number {
    return this.changes;
  }

  remember(serverId: bigint, memberIds: readonly bigint[], generation: number): void {
    if (generation !== this.changes) return;
    if (this.members.size >= MAX_SERVERS) this.members.clear();
    this.members.set(serverId.toString(), new Set(memberIds));
  }

  readonly onBusMessage = (message: BusMessage): void => {
    switch (message.kind) {
      case 'subscribe':
      case 'unsubscribe': {
        if (message.topic.kind !== 'server') return;
        this.changes++;
        const set = this.members.get(message.topic.serverId);
        if (!set) return;
        for (const id of message.userIds) {
          if (message.kind === 'subscribe') set.add(BigInt(id));
          else set.delete(BigInt(id));
        }
        return;
      }
      case 'drop_topic':
        if (message.topic.kind !== 'server') return;
        this.changes++;
        this.members.delete(message.topic.serverId);
        return;
      case 'gap':
        this.changes++;
        this.members.clear();
        return;
      default:
        return;
    }
  };
}
