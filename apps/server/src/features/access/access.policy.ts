import type { Permission, Permissions } from '@decentra/protocol';
import { forbidden } from '../../infra/errors.js';
import type { Audience } from '../../kernel/events.js';
import type { ChannelRow, MemberRow, ServerRow } from '../../storage/rows.js';

export const ALL_PERMISSIONS: Permissions = {
  createChannel: true,
  editChannel: true,
  deleteChannel: true,
  mentionEveryone: true,
  pinMessages: true,
};
export const NO_PERMISSIONS: Permissions = {
  createChannel: false,
  editChannel: false,
  deleteChannel: false,
  mentionEveryone: false,
  pinMessages: false,
};

/** The caller's standing in a server they are a member of. */
export interface ServerAccess {
  server: ServerRow;
  isOwner: boolean;
  permissions: Permissions;
}

export interface ChannelAccess {
  channel: ChannelRow;
  /** The caller's standing in the channel's server; undefined for a DM channel. */
  server: ServerAccess | undefined;
  /** The two ends of a DM channel; undefined for a server channel. */
  dmEnds: [bigint, bigint] | undefined;
  /** Who hears about what happens in this channel. */
  audience: Audience;
}

/** What a member may do; the owner holds everything whatever the stored flags say. */
export function permissionsOf(member: MemberRow, ownerId: bigint): Permissions {
  if (member.userId === ownerId) return ALL_PERMISSIONS;
  return {
    createChannel: member.canCreateChannel,
    editChannel: member.canEditChannel,
    deleteChannel: member.canDeleteChannel,
    mentionEveryone: member.canMentionEveryone,
    pinMessages: member.canPinMessages,
  };
}

export function serverAccessOf(server: ServerRow, member: MemberRow): ServerAccess {
  return {
    server,
    isOwner: server.ownerId === member.userId,
    permissions: permissionsOf(member, server.ownerId),
  };
}

export function requireOwner(access: ServerAccess): void {
  if (!access.isOwner) throw forbidden('Only the server owner can do that.');
}

const PERMISSION_WORDS: Record<Permission, string> = {
  createChannel: 'create channels',
  editChannel: 'edit channels',
  deleteChannel: 'delete channels',
  mentionEveryone: 'mention everyone',
  pinMessages: 'pin messages',
};

export function requirePermission(access: ServerAccess, permission: Permission): void {
  if (!access.permissions[permission]) {
    throw forbidden(`You do not have permission to ${PERMISSION_WORDS[permission]} in this server.`);
  }
}
