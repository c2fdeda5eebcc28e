import type { Channel, Member, Permissions, Server } from '@decentra/protocol';
import type { channels, serverMembers, servers } from '../../storage/schema.js';
import { toUserRef } from '../accounts/user-dto.js';

export type ServerRow = typeof servers.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;
export type MemberRow = typeof serverMembers.$inferSelect;

export const ALL_PERMISSIONS: Permissions = { createChannel: true, editChannel: true, deleteChannel: true };
export const NO_PERMISSIONS: Permissions = { createChannel: false, editChannel: false, deleteChannel: false };

/** What a member may do; the owner holds everything whatever the stored flags say. */
export function permissionsOf(member: MemberRow, ownerId: bigint): Permissions {
  if (member.userId === ownerId) return ALL_PERMISSIONS;
  return {
    createChannel: member.canCreateChannel,
    editChannel: member.canEditChannel,
    deleteChannel: member.canDeleteChannel,
  };
}

export function toChannel(row: ChannelRow): Channel {
  return {
    id: row.id.toString(),
    serverId: row.serverId?.toString() ?? null,
    type: row.type,
    name: row.name,
  };
}

export function toServer(row: ServerRow, channelRows: ChannelRow[], myPermissions: Permissions): Server {
  return {
    id: row.id.toString(),
    name: row.name,
    ownerId: row.ownerId.toString(),
    channels: channelRows.map(toChannel),
    myPermissions,
  };
}

export function toMember(member: MemberRow, user: { id: bigint; username: string }, ownerId: bigint): Member {
  return {
    user: toUserRef(user),
    isOwner: member.userId === ownerId,
    permissions: permissionsOf(member, ownerId),
  };
}
