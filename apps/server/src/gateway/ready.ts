import { DEFAULT_USER_SETTINGS, type ReadyData } from '@decentra/protocol';
import type { AuthContext } from '../features/accounts/accounts.service.js';
import { toUser } from '../features/accounts/user-dto.js';

/** What one feature adds to `ready`, and the topics the new socket must listen to for it. */
export interface ReadyPart {
  data: Partial<Omit<ReadyData, 'sessionId' | 'user'>>;
  topics?: string[];
}

export type ReadyContributor = (auth: AuthContext) => Promise<ReadyPart>;

/** Assembles `ready` from every feature's part; features register contributors as they arrive. */
export class ReadyBuilder {
  private readonly contributors: ReadyContributor[] = [];

  add(contributor: ReadyContributor): void {
    this.contributors.push(contributor);
  }

  async build(auth: AuthContext, sessionId: string): Promise<{ data: ReadyData; topics: string[] }> {
    const data: ReadyData = {
      sessionId,
      user: toUser(auth.user),
      servers: [],
      dms: [],
      friends: { friends: [], incoming: [], outgoing: [] },
      presences: [],
      voiceStates: [],
      settings: DEFAULT_USER_SETTINGS,
    };
    const topics: string[] = [];
    const parts = await Promise.all(this.contributors.map((c) => c(auth)));
    for (const part of parts) {
      Object.assign(data, part.data);
      topics.push(...(part.topics ?? []));
    }
    return { data, topics };
  }
}
