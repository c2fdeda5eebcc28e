import type { Audience, Topic } from '../kernel/events.js';
import type { GatewaySession } from './session.js';

/**
 * In-memory indexes from what an event is about to the gateway sessions that may see it,
 * attached to a socket or not (a detached session buffers events for its resume). Membership
 * changes update them; delivering an event never asks the database who is listening.
 */
export class Subscriptions {
  private readonly byUser = new Map<string, Set<GatewaySession>>();
  private readonly byAuthSession = new Map<string, Set<GatewaySession>>();
  private readonly byTopic = new Map<string, Set<GatewaySession>>();
  private readonly bySession = new Map<string, GatewaySession>();

  add(session: GatewaySession): void {
    this.bySession.set(session.sessionId, session);
    addTo(this.byUser, session.userId, session);
    addTo(this.byAuthSession, session.authSessionId, session);
  }

  remove(session: GatewaySession): void {
    if (this.bySession.get(session.sessionId) === session) this.bySession.delete(session.sessionId);
    removeFrom(this.byUser, session.userId, session);
    removeFrom(this.byAuthSession, session.authSessionId, session);
    for (const topic of session.topics) removeFrom(this.byTopic, topic, session);
    session.topics.clear();
  }

  /** Subscribe every session of these users to a server's or channel's events. */
  subscribeUsers(userIds: Iterable<string>, topic: string): void {
    for (const userId of userIds) {
      for (const session of this.byUser.get(userId) ?? []) this.subscribe(session, topic);
    }
  }

  unsubscribeUsers(userIds: Iterable<string>, topic: string): void {
    for (const userId of userIds) {
      for (const session of this.byUser.get(userId) ?? []) {
        removeFrom(this.byTopic, topic, session);
        session.topics.delete(topic);
      }
    }
  }

  subscribe(session: GatewaySession, topic: string): void {
    addTo(this.byTopic, topic, session);
    session.topics.add(topic);
  }

  dropTopic(topic: string): void {
    for (const session of this.byTopic.get(topic) ?? []) session.topics.delete(topic);
    this.byTopic.delete(topic);
  }

  sessionsOfUser(userId: string): ReadonlySet<GatewaySession> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  sessionsOfAuthSession(authSessionId: string): ReadonlySet<GatewaySession> {
    return this.byAuthSession.get(authSessionId) ?? EMPTY;
  }

  /** Every session in the audience, each once. */
  resolve(to: Audience): Iterable<GatewaySession> {
    switch (to.kind) {
      case 'users': {
        if (to.userIds.length === 1) return this.sessionsOfUser(to.userIds[0] as string);
        const out = new Set<GatewaySession>();
        for (const id of to.userIds) for (const s of this.sessionsOfUser(id)) out.add(s);
        return out;
      }
      case 'server':
        return this.byTopic.get(serverTopic(to.serverId)) ?? EMPTY;
      case 'channel':
        return this.byTopic.get(channelTopic(to.channelId)) ?? EMPTY;
      case 'session': {
        const session = this.bySession.get(to.sessionId);
        return session ? [session] : EMPTY;
      }
    }
  }

  /** Sessions indexed, attached or detached. */
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

const EMPTY: ReadonlySet<GatewaySession> = new Set();

function addTo<K>(map: Map<K, Set<GatewaySession>>, key: K, session: GatewaySession): void {
  const set = map.get(key) ?? new Set<GatewaySession>();
  map.set(key, set);
  set.add(session);
}

function removeFrom<K>(map: Map<K, Set<GatewaySession>>, key: K, session: GatewaySession): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(session);
  if (set.size === 0) map.delete(key);
}
