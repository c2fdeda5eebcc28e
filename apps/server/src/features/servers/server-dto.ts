import type { Channel, EventData, Member, Permissions, Server } from '@decentra/protocol';
import type { ChannelRow, MemberRow, ServerRow } from '../../storage/rows.js';
import { permissionsOf } from '../access/access.policy.js';
import { toUserRef, type UserRefRow } from '../accounts/user-dto.js';

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
    ...(row.iconHash ? { icon: row.iconHash } : {}),
  };
}

/** `server_update`'s payload: the server's name, owner and icon as they now are. */
export function toServerUpdate(row: ServerRow): EventData<'server_update'> {
  return {
    id: row.id.toString(),
    name: row.name,
    ownerId: row.ownerId.toString(),
    ...(row.iconHash ? { icon: row.iconHash } : {}),
  };
}

export function toMember(member: MemberRow, user: UserRefRow, ownerId: bigint): Member {
  return {
    user: toUserRef(user),
    isOwner: member.userId === ownerId,
    permissions: permissionsOf(member, ownerId),
  };
}
