import type { Member, UpdateMemberBody } from '@decentra/protocol';
import { dispatch, unsubscribe } from '../../bus/bus.js';
import { conflict, forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { Db } from '../../storage/db.js';
import { requireOwner, serverAccess } from '../servers/access.js';
import { toMember } from '../servers/server-dto.js';
import { type Actor, type Outcome, serverScope } from '../servers/servers.service.js';
import { deleteMember, membersOfServer, memberWithUser, updateMemberPermissions } from './members.repo.js';

export class MembersService {
  constructor(private readonly db: Db) {}

  async list(actor: Actor, serverId: bigint): Promise<Member[]> {
    const access = await serverAccess(this.db, serverId, actor.id);
    const rows = await membersOfServer(this.db, serverId);
    return rows.map((r) => toMember(r.member, r.user, access.server.ownerId));
  }

  /** The owner grants or withdraws a member's channel permissions (only the flags given change). */
  async updatePermissions(
    actor: Actor,
    serverId: bigint,
    userId: bigint,
    body: UpdateMemberBody,
  ): Promise<Outcome<Member>> {
    const access = await serverAccess(this.db, serverId, actor.id);
    requireOwner(access);
    if (userId === access.server.ownerId) throw invalidInput('The owner always holds every permission.');
    const { createChannel, editChannel, deleteChannel } = body.permissions;
    const row = await updateMemberPermissions(this.db, serverId, userId, {
      ...(createChannel === undefined ? {} : { canCreateChannel: createChannel }),
      ...(editChannel === undefined ? {} : { canEditChannel: editChannel }),
      ...(deleteChannel === undefined ? {} : { canDeleteChannel: deleteChannel }),
    });
    const target = row && (await memberWithUser(this.db, serverId, userId));
    if (!target) throw notFound('That user is not a member of this server.');
    const member = toMember(target.member, target.user, access.server.ownerId);
    return {
      result: member,
      events: [dispatch('member_update', { serverId: serverId.toString(), member }, serverScope(serverId))],
    };
  }

  /**
   * Kick (the owner removes someone) or leave (`userId` is the caller). The removed member hears
   * `member_leave` like everyone else, then their sockets stop receiving the server's events.
   */
  async remove(actor: Actor, serverId: bigint, userId: bigint): Promise<Outcome<void>> {
    const access = await serverAccess(this.db, serverId, actor.id);
    const leaving = userId === actor.id;
    if (leaving && access.isOwner) {
      throw conflict('The owner cannot leave the server; delete it instead.');
    }
    if (!leaving) {
      requireOwner(access);
      if (userId === access.server.ownerId) throw forbidden('The owner cannot be removed.');
    }
    if (!(await deleteMember(this.db, serverId, userId)))
      throw notFound('That user is not a member of this server.');
    const id = userId.toString();
    return {
      result: undefined,
      events: [
        dispatch('member_leave', { serverId: serverId.toString(), userId: id }, serverScope(serverId)),
        unsubscribe([id], serverScope(serverId)),
      ],
    };
  }
}
