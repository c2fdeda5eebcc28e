import { useEffect } from 'react';
import { chat } from '../../../app/client';
import { useChatShallow } from '../../../app/hooks';

/**
 * Who `@` may offer in a channel: the server's members (loaded when first wanted), or the other
 * end of a DM. Never me.
 */
export function useMentionNames(channelId: string, wanted: boolean): string[] {
  const serverId = useChatShallow((s) => s.channels[channelId]?.serverId ?? null);
  const loaded = useChatShallow((s) => (serverId ? s.members[serverId] !== undefined : true));
  useEffect(() => {
    if (wanted && serverId && !loaded)
      chat()
        .loadMembers(serverId)
        .catch(() => undefined);
  }, [wanted, serverId, loaded]);
  return useChatShallow((s) => {
    const me = s.me?.id;
    if (serverId)
      return (s.members[serverId] ?? []).filter((m) => m.user.id !== me).map((m) => m.user.username);
    return (s.channels[channelId]?.recipients ?? []).filter((u) => u.id !== me).map((u) => u.username);
  });
}
