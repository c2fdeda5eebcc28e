import type { Audience, Topic } from '../bus/bus.js';
import type { Connection } from './connection.js';

/**
 * In-memory indexes from what an event is about to the sockets that may see it. Membership
 * changes update them; delivering an event never asks the database who is listening.
 */
export class Subscriptions {
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly byAuthSession = new Map<string, Set<Connection>>();
  private readonly byTopic = new Map<string, Set<Connection>>();
  private readonly topicsOf = new Map<Connection, Set<string>>();

  add(conn: Connection): void {
    if (conn.userId) addTo(this.byUser, conn.userId, conn);
    if (conn.authSessionId) addTo(this.byAuthSession, conn.authSessionId, conn);
  }

  remove(conn: Connection): void {
    if (conn.userId) removeFrom(this.byUser, conn.userId, conn);
    if (conn.authSessionId) removeFrom(this.byAuthSession, conn.authSessionId, conn);
    for (const topic of this.topicsOf.get(conn) ?? []) removeFrom(this.byTopic, topic, conn);
    this.topicsOf.delete(conn);
  }

  /** Subscribe every socket of these users to a server's or channel's events. */
  subscribeUsers(userIds: Iterable<string>, topic: string): void {
    for (const userId of userIds) {
      for (const conn of this.byUser.get(userId) ?? []) this.subscribe(conn, topic);
    }
  }

  unsubscribeUsers(userIds: Iterable<string>, topic: string): void {
    for (const userId of userIds) {
      for (const conn of this.byUser.get(userId) ?? []) {
        removeFrom(this.byTopic, topic, conn);
        this.topicsOf.get(conn)?.delete(topic);
      }
    }
  }

  subscribe(conn: Connection, topic: string): void {
    addTo(this.byTopic, topic, conn);
    const topics = this.topicsOf.get(conn) ?? new Set<string>();
    this.topicsOf.set(conn, topics);
    topics.add(topic);
  }

  dropTopic(topic: string): void {
    for (const conn of this.byTopic.get(topic) ?? []) this.topicsOf.get(conn)?.delete(topic);
    this.byTopic.delete(topic);
  }

  connectionsOfUser(userId: string): ReadonlySet<Connection> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  connectionsOfAuthSession(sessionId: string): ReadonlySet<Connection> {
    return this.byAuthSession.get(sessionId) ?? EMPTY;
  }

  /** Every socket in the audience, each once. */
  resolve(to: Audience): Iterable<Connection> {
    switch (to.kind) {
      case 'users': {
        if (to.userIds.length === 1) return this.connectionsOfUser(to.userIds[0] as string);
        const out = new Set<Connection>();
        for (const id of to.userIds) for (const c of this.connectionsOfUser(id)) out.add(c);
        return out;
      }
      case 'server':
        return this.byTopic.get(serverTopic(to.serverId)) ?? EMPTY;
      case 'channel':
        return this.byTopic.get(channelTopic(to.channelId)) ?? EMPTY;
    }
  }

  get size(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }
}

export const serverTopic = (serverId: string) => `s:${serverId}`;
export const channelTopic = (channelId: string) => `c:${channelId}`;
export const topicKey = (topic: Topic) =>
  topic.kind === 'server' ? serverTopic(topic.serverId) : channelTopic(topic.channelId);

const EMPTY: ReadonlySet<Connection> = new Set();

function addTo<K>(map: Map<K, Set<Connection>>, key: K, conn: Connection): void {
  const set = map.get(key) ?? new Set<Connection>();
  map.set(key, set);
  set.add(conn);
}

function removeFrom<K>(map: Map<K, Set<Connection>>, key: K, conn: Connection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(conn);
  if (set.size === 0) map.delete(key);
}
