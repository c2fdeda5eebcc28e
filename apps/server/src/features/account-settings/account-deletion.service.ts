import { DELETED_USER_NAME } from '@decentra/protocol';
import { conflict, forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { Actor, AuthContext } from '../../kernel/actor.js';
import type { Commands } from '../../kernel/commands.js';
import { combine, type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { UserRow } from '../../storage/rows.js';
import type { AvatarsService } from '../avatars/avatars.service.js';
import type { FriendsService } from '../friends/friends.service.js';
import type { InvitesService } from '../invites/invites.service.js';
import type { MembersService } from '../members/members.service.js';
import type { PushService } from '../push/push.service.js';
import type { ReadStatesService } from '../read-states/read-states.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import {
  countOtherActiveAdmins,
  countOtherLiveUsers,
  deleteTokensOf,
  lockAdmins,
  lockLiveUser,
  revokeSessionsOf,
  scrubUser,
} from './account-settings.repo.js';
import { endSessions } from './account-settings.service.js';
import type { PasswordCheck } from './password-check.js';

/** Not an argon2 hash: every check against it is false (the check reads it as unreadable). */
export const NO_PASSWORD = '!deleted';

/** What becomes of one owned server: another member takes it over, or (null) it is deleted. */
interface OwnedServerPlan {
  serverId: bigint;
  transferTo: bigint | null;
}

export interface AccountDeletionDeps {
  commands: Commands;
  check: PasswordCheck;
  servers: ServersService;
  members: MembersService;
  friends: FriendsService;
  invites: InvitesService;
  settings: SettingsService;
  readStates: ReadStatesService;
  push: PushService;
  avatars: AvatarsService;
  now: () => Date;
}

/**
 * Deleting an account, by its owner or an admin, in one transaction: owned servers handed over or
 * deleted, memberships, friendships and requests ended through their features (so voice, calls
 * and every event follow), codes retired, settings and tokens gone, sessions closed, and the row
 * scrubbed to DELETED_USER_NAME. The row stays: messages keep their author and DMs stay readable.
 */
export class AccountDeletionService {
  constructor(private readonly deps: AccountDeletionDeps) {}

  /** Every owned server must be named, each handed to another member or deleted. */
  async deleteOwn(
    auth: AuthContext,
    body: { password: string; ownedServers: Array<{ serverId: string; transferTo: string | null }> },
    address: string,
  ): Promise<void> {
    const { check, commands } = this.deps;
    await check.require(auth.user, body.password, address);
    const listed = body.ownedServers.map((s) => ({
      serverId: BigInt(s.serverId),
      transferTo: s.transferTo === null ? null : BigInt(s.transferTo),
    }));
    await commands.transaction(async (tx) => {
      const user = await this.lockForDeletion(tx, auth.actor.id);
      if (!user) throw forbidden('This account no longer exists.');
      const owned = await this.ownedServers(tx, user.id);
      const seen = new Set<bigint>();
      for (const { serverId } of listed) {
        if (seen.has(serverId)) throw invalidInput(`ownedServers: server ${serverId} is listed twice.`);
        seen.add(serverId);
        if (!owned.includes(serverId)) throw invalidInput(`ownedServers: you do not own server ${serverId}.`);
      }
      if (owned.some((id) => !seen.has(id))) {
        throw conflict('Say for every server you own who takes it over, or that it is deleted.', {
          reason: 'owned_servers',
        });
      }
      return this.erase(tx, user, listed);
    });
  }

  /** By an admin: each owned server goes to its longest-standing other member, or is deleted when alone. */
  async deleteByAdmin(admin: Actor, userId: bigint): Promise<void> {
    const { commands, servers } = this.deps;
    if (userId === admin.id) {
      throw invalidInput('Delete your own account from your account settings.', { reason: 'own_account' });
    }
    await commands.transaction(async (tx) => {
      const user = await this.lockForDeletion(tx, userId);
      if (!user) throw notFound('No such user.');
      const plans: OwnedServerPlan[] = [];
      for (const serverId of await this.ownedServers(tx, user.id)) {
        plans.push({ serverId, transferTo: (await servers.successorOf(tx, serverId, user.id)) ?? null });
      }
      return this.erase(tx, user, plans);
    });
  }

  /** The row locked, once no decision about admins can race this one; the last admin stays. */
  private async lockForDeletion(tx: Db, userId: bigint): Promise<UserRow | undefined> {
    await lockAdmins(tx);
    const user = await lockLiveUser(tx, userId);
    if (user?.isAdmin && (await countOtherActiveAdmins(tx, user.id)) === 0) {
      if ((await countOtherLiveUsers(tx, user.id)) > 0) {
        throw conflict('The last admin cannot delete their account: make someone else an admin first.', {
          reason: 'last_admin',
        });
      }
    }
    return user;
  }

  private async ownedServers(tx: Db, userId: bigint): Promise<bigint[]> {
    return (await this.deps.servers.memberships(tx, userId))
      .filter((m) => m.ownerId === userId)
      .map((m) => m.serverId);
  }

  private async erase(tx: Db, user: UserRow, plans: readonly OwnedServerPlan[]): Promise<Outcome<void>> {
    const { servers, members, friends, invites, settings, readStates, push, avatars, now } = this.deps;
    const actor: Actor = { id: user.id, username: user.username };
    const parts: Outcome<unknown>[] = [];
    for (const { serverId, transferTo } of plans) {
      parts.push(
        transferTo === null
          ? await servers.delete(tx, actor, serverId)
          : await servers.transferOwnership(tx, serverId, user.id, transferTo),
      );
    }
    for (const { serverId } of await servers.memberships(tx, user.id)) {
      parts.push(await members.remove(tx, actor, serverId, user.id));
    }
    parts.push(await friends.removeAllOf(tx, user.id));
    parts.push(await invites.retireAllOf(tx, user.id));
    parts.push(await settings.forget(tx, user.id));
    parts.push(await readStates.forgetUser(tx, user.id));
    parts.push(await push.forget(tx, user.id));
    parts.push(await avatars.forget(tx, user.id));
    await deleteTokensOf(tx, user.id);
    const sessions = await revokeSessionsOf(tx, user.id, now());
    await scrubUser(tx, user.id, {
      username: DELETED_USER_NAME,
      passwordHash: NO_PASSWORD,
      deletedAt: now(),
    });
    parts.push(outcome(undefined, endSessions(sessions, 'account deleted', user.id)));
    return combine(undefined, parts);
  }
}
