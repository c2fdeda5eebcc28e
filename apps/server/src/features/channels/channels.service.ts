import type { Channel, CreateChannelBody } from '@decentra/protocol';
import { dispatch } from '../../bus/bus.js';
import { invalidInput, notFound } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Db } from '../../storage/db.js';
import { requirePermission, serverAccess } from '../servers/access.js';
import { toChannel } from '../servers/server-dto.js';
import { type Actor, type Outcome, serverScope } from '../servers/servers.service.js';
import { channelAccess, type DmEnds } from './channel-access.js';
import { deleteChannel, insertChannel, renameChannel } from './channels.repo.js';

export class ChannelsService {
  constructor(
    private readonly db: Db,
    private readonly ids: IdGenerator,
    private readonly dmEnds?: DmEnds,
  ) {}

  async create(actor: Actor, serverId: bigint, body: CreateChannelBody): Promise<Outcome<Channel>> {
    requirePermission(await serverAccess(this.db, serverId, actor.id), 'createChannel');
    const channel = toChannel(
      await insertChannel(this.db, { id: this.ids.next(), serverId, type: body.type, name: body.name }),
    );
    return { result: channel, events: [dispatch('channel_create', channel, serverScope(serverId))] };
  }

  async rename(actor: Actor, channelId: bigint, name: string): Promise<Outcome<Channel>> {
    const access = await channelAccess(this.db, channelId, actor.id, this.dmEnds);
    if (!access.server) throw invalidInput('Direct message channels cannot be renamed.');
    requirePermission(access.server, 'editChannel');
    const row = await renameChannel(this.db, channelId, name);
    if (!row) throw notFound('No such channel.');
    const channel = toChannel(row);
    return { result: channel, events: [dispatch('channel_update', channel, access.audience)] };
  }

  async delete(actor: Actor, channelId: bigint): Promise<Outcome<void>> {
    const access = await channelAccess(this.db, channelId, actor.id, this.dmEnds);
    if (!access.server) throw invalidInput('Direct message channels cannot be deleted.');
    requirePermission(access.server, 'deleteChannel');
    if (!(await deleteChannel(this.db, channelId))) throw notFound('No such channel.');
    const d = { id: channelId.toString(), serverId: access.channel.serverId?.toString() ?? null };
    return { result: undefined, events: [dispatch('channel_delete', d, access.audience)] };
  }
}
