import type { Member, UpdateMemberBody } from '@decentra/protocol';
import { conflict, forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { Actor } from '../../kernel/actor.js';
import { dispatch, serverScope, unsubscribe } from '../../kernel/events.js';
import { AsyncListeners, combine, type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import { requireOwner } from '../access/access.policy.js';
import type { AccessService } from '../access/access.service.js';
import { toMember } from '../servers/server-dto.js';
import { deleteMember, membersOfServer, memberWithUser, updateMemberPermissions } from './members.repo.js';

export class MembersService {
  private readonly removed = new AsyncListeners<[serverId: bigint, userId: bigint]>();

  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
  ) {}

  /**
   * Tells `listener`, inside the removal's transaction, that a member is gone (kicked or left):
   * what it answers goes out before `member_leave`, while they still hear the server's events.
   */
  onRemoved(listener: (serverId: bigint, userId: bigint) => Outcome<void> | Promise<Outcome<void>>): void {
    this.removed.add(listener);
  }

  async list(actor: Actor, serverId: bigint): Promise<Member[]> {
    const standing = await this.access.server(this.db, serverId, actor.id);
    const rows = await membersOfServer(this.db, serverId);
    return rows.map((r) => toMember(r.member, r.user, standing.server.ownerId));
  }

  /** The owner grants or withdraws a member's permissions (only the flags given change). */
  async updatePermissions(
    tx: Db,
    actor: Actor,
    serverId: bigint,
    userId: bigint,
    body: UpdateMemberBody,
  ): Promise<Outcome<Member>> {
    const standing = await this.access.server(tx, serverId, actor.id, true);
    requireOwner(standing);
    if (userId === standing.server.ownerId) throw invalidInput('The owner always holds every permission.');
    const { createChannel, editChannel, deleteChannel, mentionEveryone, pinMessages } = body.permissions;
    const row = await updateMemberPermissions(tx, serverId, userId, {
      ...(createChannel === undefined ? {} : { canCreateChannel: createChannel }),
      ...(editChannel === undefined ? {} : { canEditChannel: editChannel }),
      ...(deleteChannel === undefined ? {} : { canDeleteChannel: deleteChannel }),
      ...(mentionEveryone === undefined ? {} : { canMentionEveryone: mentionEveryone }),
      ...(pinMessages === undefined ? {} : { canPinMessages: pinMessages }),
    });
    const target = row && (await memberWithUser(tx, serverId, userId));
    if (!target) throw notFound('That user is not a member of this server.');
    const member = toMember(target.member, target.user, standing.server.ownerId);
    return outcome(member, [
      dispatch('member_update', { serverId: serverId.toString(), member }, serverScope(serverId)),
    ]);
  }

  /**
   * Kick (the owner removes someone) or leave (`userId` is the caller). The removed member hears
   * `member_leave` like everyone else, then their sockets stop receiving the server's events.
   */
  async remove(tx: Db, actor: Actor, serverId: bigint, userId: bigint): Promise<Outcome<void>> {
    const standing = await this.access.server(tx, serverId, actor.id, true);
    const leaving = userId === actor.id;
    if (leaving && standing.isOwner) {
      throw conflict('The owner cannot leave the server; delete it instead.');
    }
    if (!leaving) {
      requireOwner(standing);
      if (userId === standing.server.ownerId) throw forbidden('The owner cannot be removed.');
    }
    if (!(await deleteMember(tx, serverId, userId)))
      throw notFound('That user is not a member of this server.');
    const d = { serverId: serverId.toString(), userId: userId.toString() };
    return combine(undefined, [
      await this.removed.tell(serverId, userId),
      outcome(undefined, [
        dispatch('member_leave', d, serverScope(serverId)),
        unsubscribe([userId], serverScope(serverId)),
      ]),
    ]);
  }
}
