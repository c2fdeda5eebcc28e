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

export type SettingsSection = 'account' | 'sessions' | 'notifications' | 'appearance' | 'voice' | 'delete';
export type AdminSection = 'overview' | 'users' | 'invites' | 'email' | 'instance';
export const settingsPath = (section: SettingsSection = 'account') => `/settings/${section}`;
export const adminPath = (section: AdminSection = 'overview') => `/admin/${section}`;

/** Pages reachable logged out, from the login page and from mailed links. */
export const loginPath = '/login';
export const forgotPasswordPath = '/forgot-password';

/**
 * What settings and the admin panel carry in the history entry: the page they were opened from,
 * where closing them goes back to.
 */
export interface ReturnState {
  from?: string;
}

export function returnTarget(state: unknown): string {
  const from = (state as ReturnState | null)?.from;
  return typeof from === 'string' && from.startsWith('/channels/') ? from : homePath;
}
