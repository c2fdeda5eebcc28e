import type { Channel, Member, Permissions, Server } from '@decentra/protocol';
import type { ChannelRow, MemberRow, ServerRow } from '../../storage/rows.js';
import { permissionsOf } from '../access/access.policy.js';
import { toUserRef } from '../accounts/user-dto.js';

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
