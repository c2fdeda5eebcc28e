import type { Permission, Permissions } from '@decentra/protocol';
import { and, eq } from 'drizzle-orm';
import { forbidden, notFound } from '../../infra/errors.js';
import type { Db } from '../../storage/db.js';
import { serverMembers, servers } from '../../storage/schema.js';
import { permissionsOf, type ServerRow } from './server-dto.js';

export interface ServerAccess {
  server: ServerRow;
  isOwner: boolean;
  permissions: Permissions;
}

/**
 * The caller's standing in a server. A server you are not a member of does not exist for you
 * (404, the same as one that does not exist), so ids reveal nothing.
 */
export async function serverAccess(db: Db, serverId: bigint, userId: bigint): Promise<ServerAccess> {
  const [row] = await db
    .select({ server: servers, member: serverMembers })
    .from(servers)
    .innerJoin(serverMembers, and(eq(serverMembers.serverId, servers.id), eq(serverMembers.userId, userId)))
    .where(eq(servers.id, serverId));
  if (!row) throw notFound('No such server.');
  return {
    server: row.server,
    isOwner: row.server.ownerId === userId,
    permissions: permissionsOf(row.member, row.server.ownerId),
  };
}

export function requireOwner(access: ServerAccess): void {
  if (!access.isOwner) throw forbidden('Only the server owner can do that.');
}

const PERMISSION_WORDS: Record<Permission, string> = {
  createChannel: 'create channels',
  editChannel: 'edit channels',
  deleteChannel: 'delete channels',
};

export function requirePermission(access: ServerAccess, permission: Permission): void {
  if (!access.permissions[permission]) {
    throw forbidden(`You do not have permission to ${PERMISSION_WORDS[permission]} in this server.`);
  }
}
