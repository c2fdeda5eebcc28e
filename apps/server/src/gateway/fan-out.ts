import type { BusMessage } from '../kernel/events.js';
import type { SessionHandover } from './session-handover.js';
import type { SessionStore } from './sessions.js';
import { type Subscriptions, topicKey } from './subscriptions.js';

/** RFC 6455 "service restart": reconnect. */
const SERVICE_RESTART = 1012;

/**
 * Delivers what the bus carries to this instance's sessions: events to their audience (encoded
 * once), membership changes to the indexes, login-session revocations to the sockets.
 */
export function fanOut(sessions: SessionStore, subscriptions: Subscriptions, handover?: SessionHandover) {
  return (message: BusMessage): void => {
    handover?.observe(message);
    switch (message.kind) {
      case 'close_sessions':
        for (const authSessionId of message.sessionIds) {
          for (const session of [...subscriptions.sessionsOfAuthSession(authSessionId)]) {
            sessions.destroy(session, 'closed')?.close(message.code, message.reason);
          }
        }
        return;
      case 'subscribe':
        subscriptions.subscribeUsers(message.userIds, topicKey(message.topic));
        return;
      case 'unsubscribe':
        subscriptions.unsubscribeUsers(message.userIds, topicKey(message.topic));
        return;
      case 'drop_topic':
        subscriptions.dropTopic(topicKey(message.topic));
        return;
      case 'dispatch':
        sessions.dispatch(message);
        return;
      case 'presence':
        sessions.dispatchPresence(message);
        return;
      case 'gap':
        // Events published while the bus was away never reached this instance: no session here
        // can promise a complete replay. Clients reconnect, fail to resume, and catch up by
        // re-identifying and fetching history `after` what they last saw.
        for (const conn of sessions.destroyAll()) conn.close(SERVICE_RESTART, 'events may have been missed');
        return;
    }
  };
}
