import type { Relationship } from '@decentra/protocol';
import { useChat } from '../../app/hooks';

/** How I relate to a user now, from the live store (friend events keep it current). */
export function useRelationship(userId: string): Relationship {
  return useChat((s) => {
    if (s.friends[userId]) return 'friend';
    if (s.outgoing.some((r) => r.to.id === userId)) return 'outgoing';
    if (s.incoming.some((r) => r.from.id === userId)) return 'incoming';
    return 'none';
  });
}
