import { DEFAULT_USER_SETTINGS, type ReadyData } from '@decentra/protocol';
import type { AuthContext } from '../kernel/actor.js';
import type { Topic } from '../kernel/events.js';

/** What one feature adds to `ready`, and the topics the new session must listen to for it. */
export interface ReadyPart {
  data: Partial<Omit<ReadyData, 'sessionId'>>;
  topics?: Topic[];
}

export type ReadyContributor = (auth: AuthContext) => Promise<ReadyPart>;

/**
 * Assembles `ready` from every feature's part; features register contributors as they arrive.
 * Every contributor is called in the turn the session was indexed (before any await), which
 * presence relies on to leave out of `ready` what the session hears as events anyway.
 */
export class ReadyBuilder {
  private readonly contributors: ReadyContributor[] = [];

  add(contributor: ReadyContributor): void {
    this.contributors.push(contributor);
  }

  async build(auth: AuthContext, sessionId: string): Promise<{ data: ReadyData; topics: Topic[] }> {
    const topics: Topic[] = [];
    let data: Partial<ReadyData> = {
      servers: [],
      dms: [],
      friends: { friends: [], incoming: [], outgoing: [] },
      presences: [],
      voiceStates: [],
      calls: [],
      settings: DEFAULT_USER_SETTINGS,
      readStates: [],
      notificationOverrides: [],
    };
    const parts = await Promise.all(this.contributors.map((c) => c(auth)));
    for (const part of parts) {
      data = { ...data, ...part.data };
      topics.push(...(part.topics ?? []));
    }
    const { user, servers, dms, friends, presences, voiceStates, calls, settings } = data;
    const { readStates, notificationOverrides } = data;
    if (!user || !servers || !dms || !friends || !presences || !voiceStates || !calls || !settings) {
      throw new Error('ready is missing a part: every feature must contribute its own');
    }
    if (!readStates || !notificationOverrides) throw new Error('ready is missing its read states');
    return {
      data: {
        sessionId,
        user,
        servers,
        dms,
        friends,
        presences,
        voiceStates,
        calls,
        settings,
        readStates,
        notificationOverrides,
      },
      topics,
    };
  }
}
