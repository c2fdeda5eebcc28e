import { useParams } from 'react-router';

/** Where the user is: home (`@me`, optionally a DM) or a server (optionally a channel). */
export interface Place {
  home: boolean;
  serverId: string | undefined;
  channelId: string | undefined;
}

export function usePlace(): Place {
  const { serverId, channelId } = useParams();
  const home = !serverId || serverId === '@me';
  return { home, serverId: home ? undefined : serverId, channelId };
}

export const homePath = '/channels/@me';
export const dmPath = (dmId: string) => `/channels/@me/${dmId}`;
export const channelPath = (serverId: string, channelId?: string) =>
  channelId ? `/channels/${serverId}/${channelId}` : `/channels/${serverId}`;
