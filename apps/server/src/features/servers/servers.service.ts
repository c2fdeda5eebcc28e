import type { CreateServerInviteBody, Server, ServerInvite } from '@decentra/protocol';
import { MAX_INVITE_LIFETIME_MS } from '@decentra/protocol';
import { conflict, forbidden, invalidInput } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Actor } from '../../kernel/actor.js';
import {
  type BusMessage,
  dispatch,
  dropTopic,
  serverScope,
  subscribe,
  toUsers,
} from '../../kernel/events.js';
import { AsyncListeners, combine, type Outcome, outcome } from '../../kernel/outcome.js';
import { groupBy, ReadBatch } from '../../kernel/read-batch.js';
import { type Db, readBatching } from '../../storage/db.js';
import type { ChannelRow, InviteRow, MemberRow, ServerRow, UserRow } from '../../storage/rows.js';
import { ALL_PERMISSIONS, NO_PERMISSIONS, permissionsOf, requireOwner } from '../access/access.policy.js';
import type { AccessService } from '../access/access.service.js';
import type { InvitesService } from '../invites/invites.service.js';
import { unknownCode } from '../invites/invites.service.js';
import { toMember, toServer, toServerUpdate } from './server-dto.js';
import {
  channelsOfServers,
  deleteServer,
  findMember,
  findServer,
  insertChannels,
  insertMember,
  insertServer,
  lockServer,
  longestStandingMember,
  renameServer,
  serversOfUser,
  serversOfUsers,
  setServerOwner,
} from './servers.repo.js';

export interface ServersDeps {
  db: Db;
  ids: IdGenerator;
  invites: InvitesService;
  access: AccessService;
  now?: () => Date;
}

export class ServersService {
  private readonly now: () => Date;
  private readonly deleted = new AsyncListeners<[serverId: bigint]>();
  /**
   * A user's servers and a server's channels as `ready` reads them: the asks of one turn are one
   * query (a reconnect storm), and `ready`'s two asks for a user's servers (the list, voice's
   * states in them) are one.
   */
  private readonly serversBatch: ReadBatch<bigint, Array<{ server: ServerRow; member: MemberRow }>>;
  private readonly channelsBatch: ReadBatch<bigint, ChannelRow[]>;

  constructor(private readonly deps: ServersDeps) {
    this.now = deps.now ?? (() => new Date());
    this.serversBatch = new ReadBatch(
      (ids) => serversOfUsers(deps.db, ids),
      () => [],
      readBatching(deps.db),
    );
    this.channelsBatch = new ReadBatch(
      async (ids) => groupBy(await channelsOfServers(deps.db, ids), (c) => c.serverId ?? 0n),
      () => [],
      readBatching(deps.db),
    );
  }

  /**
   * Tells `listener`, inside the deletion's transaction, that a server is gone: what it answers
   * goes out before `server_delete`, while the members still hear the server's events.
   */
  onDeleted(listener: (serverId: bigint) => Outcome<void> | Promise<Outcome<void>>): void {
    this.deleted.add(listener);
  }

  /** The creator owns it; it starts with a text channel `general` and a voice channel `General`. */
  async create(tx: Db, actor: Actor, name: string): Promise<Outcome<Server>> {
    const { ids } = this.deps;
    const serverId = ids.next();
    const row = await insertServer(tx, { id: serverId, name, ownerId: actor.id, createdAt: this.now() });
    await insertMember(tx, { serverId, userId: actor.id });
    const channelRows = await insertChannels(tx, [
      { id: ids.next(), serverId, type: 'text', name: 'general' },
      { id: ids.next(), serverId, type: 'voice', name: 'General' },
    ]);
    const server = toServer(row, channelRows, ALL_PERMISSIONS);
    return outcome(server, [
      subscribe([actor.id], serverScope(serverId)),
      dispatch('server_create', server, toUsers(actor.id)),
    ]);
  }

  async list(userId: bigint): Promise<Server[]> {
    const rows = await this.serversBatch.load(userId);
    const channelRows = await Promise.all(rows.map((r) => this.channelsBatch.load(r.server.id)));
    return rows.map(({ server, member }, i) =>
      toServer(server, channelRows[i] ?? [], permissionsOf(member, server.ownerId)),
    );
  }

  /** The ids of the servers a user is a member of. */
  async idsOf(userId: bigint): Promise<bigint[]> {
    return (await this.serversBatch.load(userId)).map((r) => r.server.id);
  }

  /** The servers a user is a member of and who owns each, read on `db` (a transaction or not). */
  async memberships(db: Db, userId: bigint): Promise<Array<{ serverId: bigint; ownerId: bigint }>> {
    return (await serversOfUser(db, userId)).map((r) => ({
      serverId: r.server.id,
      ownerId: r.server.ownerId,
    }));
  }

  /** Who would take a server over from its owner: the member who joined first, if any. */
  successorOf(tx: Db, serverId: bigint, ownerId: bigint): Promise<bigint | undefined> {
    return longestStandingMember(tx, serverId, ownerId);
  }

  /**
   * Hands a server from its owner to another member (an owner's account being deleted). The
   * server row is locked, so this decides against a concurrent deletion or rename.
   */
  async transferOwnership(tx: Db, serverId: bigint, fromId: bigint, toId: bigint): Promise<Outcome<void>> {
    const server = await lockServer(tx, serverId);
    if (!server || server.ownerId !== fromId) throw invalidInput('You do not own that server.');
    if (toId === fromId || !(await findMember(tx, serverId, toId))) {
      throw invalidInput('transferTo: must be another member of that server.');
    }
    const row = await setServerOwner(tx, serverId, toId);
    return outcome(undefined, [dispatch('server_update', toServerUpdate(row), serverScope(serverId))]);
  }

  async get(userId: bigint, serverId: bigint): Promise<Server> {
    const { db, access } = this.deps;
    const standing = await access.server(db, serverId, userId);
    return toServer(standing.server, await channelsOfServers(db, [serverId]), standing.permissions);
  }

  async rename(tx: Db, actor: Actor, serverId: bigint, name: string): Promise<Outcome<Server>> {
    const standing = await this.deps.access.server(tx, serverId, actor.id, true);
    requireOwner(standing);
    const row = await renameServer(tx, serverId, name);
    const server = toServer(row, await channelsOfServers(tx, [serverId]), standing.permissions);
    return outcome(server, [dispatch('server_update', toServerUpdate(row), serverScope(serverId))]);
  }

  async delete(tx: Db, actor: Actor, serverId: bigint): Promise<Outcome<void>> {
    requireOwner(await this.deps.access.server(tx, serverId, actor.id, true));
    await deleteServer(tx, serverId);
    return combine(undefined, [
      await this.deleted.tell(serverId),
      outcome(undefined, [
        dispatch('server_delete', { id: serverId.toString() }, serverScope(serverId)),
        dropTopic(serverScope(serverId)),
      ]),
    ]);
  }

  async createInvite(
    tx: Db,
    actor: Actor,
    serverId: bigint,
    body: CreateServerInviteBody,
  ): Promise<Outcome<ServerInvite>> {
    requireOwner(await this.deps.access.server(tx, serverId, actor.id, true));
    let expiresAt: Date | null = null;
    if (body.expiresAt !== undefined) {
      expiresAt = new Date(body.expiresAt);
      const lifetime = expiresAt.getTime() - this.now().getTime();
      if (lifetime <= 0) throw invalidInput('expiresAt: must be in the future');
      if (lifetime > MAX_INVITE_LIFETIME_MS) throw invalidInput('expiresAt: must be at most 7 days from now');
    }
    const row = await this.deps.invites.createServerInvite(tx, serverId, actor.id, {
      maxUses: body.maxUses ?? 1,
      expiresAt,
    });
    return outcome(toServerInvite(row, serverId));
  }

  /** Joins with a server invite code; a code is only spent when the join happens. */
  async join(tx: Db, actor: Actor, code: string): Promise<Outcome<Server>> {
    const { invites } = this.deps;
    const invite = await invites.find(tx, code);
    if (invite && invite.serverId === null) {
      throw forbidden('This is a sign-up invite, not a server invite.', { reason: 'not_server_invite' });
    }
    if (invite?.serverId != null && (await findMember(tx, invite.serverId, actor.id))) {
      throw conflict('You are already a member of this server.');
    }
    const redeemed = await invites.redeem(tx, code, actor.id, this.now());
    return this.addMember(tx, redeemed, actor);
  }

  /** Signup with a server code: the new account joins that server in the same transaction. */
  readonly joinOnSignup = async (tx: Db, invite: InviteRow, user: UserRow): Promise<BusMessage[]> => {
    if (invite.serverId === null) return [];
    return (await this.addMember(tx, invite, { id: user.id, username: user.username })).events;
  };

  private async addMember(tx: Db, invite: InviteRow, actor: Actor): Promise<Outcome<Server>> {
    const serverId = invite.serverId;
    if (serverId === null) throw new Error('not a server invite');
    const server = await findServer(tx, serverId);
    if (!server) throw unknownCode();
    const member = await insertMember(tx, { serverId, userId: actor.id, joinedAt: this.now() });
    if (!member) throw conflict('You are already a member of this server.');
    const view = toServer(server, await channelsOfServers(tx, [serverId]), NO_PERMISSIONS);
    return outcome(view, [
      subscribe([actor.id], serverScope(serverId)),
      dispatch('server_create', view, toUsers(actor.id)),
      dispatch(
        'member_join',
        {
          serverId: view.id,
          member: toMember(member, { ...actor, avatarHash: actor.avatarHash ?? null }, server.ownerId),
        },
        serverScope(serverId),
      ),
    ]);
  }
}

export function toServerInvite(row: InviteRow, serverId: bigint): ServerInvite {
  return {
    code: row.code,
    serverId: serverId.toString(),
    maxUses: row.maxUses,
    uses: row.uses,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  };
}
