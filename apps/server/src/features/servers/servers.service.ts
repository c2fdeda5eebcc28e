import type { CreateServerInviteBody, Server, ServerInvite } from '@decentra/protocol';
import { MAX_INVITE_LIFETIME_MS } from '@decentra/protocol';
import { type BusMessage, dispatch, subscribe } from '../../bus/bus.js';
import { conflict, DomainError, invalidInput } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Db } from '../../storage/db.js';
import { findUserById } from '../accounts/accounts.repo.js';
import type { InviteRow } from '../invites/invites.repo.js';
import type { InvitesService } from '../invites/invites.service.js';
import { requireOwner, serverAccess } from './access.js';
import { ALL_PERMISSIONS, NO_PERMISSIONS, permissionsOf, toMember, toServer } from './server-dto.js';
import {
  channelsOfServers,
  deleteServer,
  findMember,
  findServer,
  insertChannels,
  insertMember,
  insertServer,
  renameServer,
  serversOfUser,
} from './servers.repo.js';

export interface Actor {
  id: bigint;
  username: string;
}

export interface Outcome<T> {
  result: T;
  events: BusMessage[];
}

/** A server as an event audience and as a subscription topic: the same shape serves both. */
export const serverScope = (serverId: bigint) => ({ kind: 'server', serverId: serverId.toString() }) as const;

export class ServersService {
  constructor(
    private readonly db: Db,
    private readonly ids: IdGenerator,
    private readonly invites: InvitesService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The creator owns it; it starts with a text channel `general` and a voice channel `General`. */
  async create(actor: Actor, name: string): Promise<Outcome<Server>> {
    const serverId = this.ids.next();
    const server = await this.db.transaction(async (tx) => {
      const row = await insertServer(tx, { id: serverId, name, ownerId: actor.id, createdAt: this.now() });
      await insertMember(tx, { serverId, userId: actor.id });
      const channelRows = await insertChannels(tx, [
        { id: this.ids.next(), serverId, type: 'text', name: 'general' },
        { id: this.ids.next(), serverId, type: 'voice', name: 'General' },
      ]);
      return toServer(row, channelRows, ALL_PERMISSIONS);
    });
    return {
      result: server,
      events: [
        subscribe([actor.id.toString()], serverScope(serverId)),
        dispatch('server_create', server, { kind: 'users', userIds: [actor.id.toString()] }),
      ],
    };
  }

  async list(userId: bigint): Promise<Server[]> {
    const rows = await serversOfUser(this.db, userId);
    const channelRows = await channelsOfServers(
      this.db,
      rows.map((r) => r.server.id),
    );
    return rows.map(({ server, member }) =>
      toServer(
        server,
        channelRows.filter((c) => c.serverId === server.id),
        permissionsOf(member, server.ownerId),
      ),
    );
  }

  async get(userId: bigint, serverId: bigint): Promise<Server> {
    const access = await serverAccess(this.db, serverId, userId);
    return toServer(access.server, await channelsOfServers(this.db, [serverId]), access.permissions);
  }

  async rename(actor: Actor, serverId: bigint, name: string): Promise<Outcome<Server>> {
    const access = await serverAccess(this.db, serverId, actor.id);
    requireOwner(access);
    const row = await renameServer(this.db, serverId, name);
    const server = toServer(row, await channelsOfServers(this.db, [serverId]), access.permissions);
    return {
      result: server,
      events: [
        dispatch(
          'server_update',
          { id: server.id, name: server.name, ownerId: server.ownerId },
          serverScope(serverId),
        ),
      ],
    };
  }

  async delete(actor: Actor, serverId: bigint): Promise<Outcome<void>> {
    requireOwner(await serverAccess(this.db, serverId, actor.id));
    await deleteServer(this.db, serverId);
    return {
      result: undefined,
      events: [
        dispatch('server_delete', { id: serverId.toString() }, serverScope(serverId)),
        { kind: 'drop_topic', topic: serverScope(serverId) },
      ],
    };
  }

  async createInvite(actor: Actor, serverId: bigint, body: CreateServerInviteBody): Promise<ServerInvite> {
    requireOwner(await serverAccess(this.db, serverId, actor.id));
    let expiresAt: Date | null = null;
    if (body.expiresAt !== undefined) {
      expiresAt = new Date(body.expiresAt);
      const lifetime = expiresAt.getTime() - this.now().getTime();
      if (lifetime <= 0) throw invalidInput('expiresAt: must be in the future');
      if (lifetime > MAX_INVITE_LIFETIME_MS) throw invalidInput('expiresAt: must be at most 7 days from now');
    }
    const row = await this.invites.createServerInvite(serverId, actor.id, {
      maxUses: body.maxUses ?? 1,
      expiresAt,
    });
    return toServerInvite(row, serverId);
  }

  /** Joins with a server invite code; a code is only spent when the join happens. */
  async join(actor: Actor, code: string): Promise<Outcome<Server>> {
    return this.db.transaction(async (tx) => {
      const invite = await this.invites.find(tx, code);
      if (invite && invite.serverId === null) {
        throw new DomainError('forbidden', 'This is a sign-up invite, not a server invite.', {
          reason: 'not_server_invite',
        });
      }
      if (invite?.serverId != null && (await findMember(tx, invite.serverId, actor.id))) {
        throw conflict('You are already a member of this server.');
      }
      const redeemed = await this.invites.redeem(tx, code, actor.id, this.now());
      const { result, events } = await this.addMember(tx, redeemed, actor);
      return { result, events };
    });
  }

  /** Signup with a server code: the new account joins that server in the same transaction. */
  readonly joinOnSignup = async (tx: Db, invite: InviteRow, userId: bigint): Promise<BusMessage[]> => {
    if (invite.serverId === null) return [];
    const user = await findUserById(tx, userId);
    if (!user) return [];
    return (await this.addMember(tx, invite, { id: userId, username: user.username })).events;
  };

  private async addMember(tx: Db, invite: InviteRow, actor: Actor): Promise<Outcome<Server>> {
    const serverId = invite.serverId;
    if (serverId === null) throw new Error('not a server invite');
    const server = await findServer(tx, serverId);
    if (!server)
      throw new DomainError('forbidden', 'This invite code does not exist.', { reason: 'unknown_code' });
    const member = await insertMember(tx, { serverId, userId: actor.id, joinedAt: this.now() });
    if (!member) throw conflict('You are already a member of this server.');
    const view = toServer(server, await channelsOfServers(tx, [serverId]), NO_PERMISSIONS);
    const userId = actor.id.toString();
    return {
      result: view,
      events: [
        subscribe([userId], serverScope(serverId)),
        dispatch('server_create', view, { kind: 'users', userIds: [userId] }),
        dispatch(
          'member_join',
          { serverId: view.id, member: toMember(member, actor, server.ownerId) },
          serverScope(serverId),
        ),
      ],
    };
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
