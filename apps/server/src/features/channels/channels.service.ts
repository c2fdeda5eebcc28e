import type { Channel, CreateChannelBody } from '@decentra/protocol';
import { invalidInput, notFound } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Actor } from '../../kernel/actor.js';
import { dispatch, serverScope } from '../../kernel/events.js';
import { AsyncListeners, combine, type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import { requirePermission } from '../access/access.policy.js';
import type { AccessService } from '../access/access.service.js';
import { toChannel } from '../servers/server-dto.js';
import { deleteChannel, insertChannel, renameChannel } from './channels.repo.js';

export class ChannelsService {
  private readonly deleted = new AsyncListeners<[serverId: bigint, channelId: bigint]>();

  constructor(
    private readonly ids: IdGenerator,
    private readonly access: AccessService,
  ) {}

  /** Tells `listener`, inside the deletion's transaction, that a server channel is gone. */
  onDeleted(listener: (serverId: bigint, channelId: bigint) => Outcome<void> | Promise<Outcome<void>>): void {
    this.deleted.add(listener);
  }

  async create(tx: Db, actor: Actor, serverId: bigint, body: CreateChannelBody): Promise<Outcome<Channel>> {
    requirePermission(await this.access.server(tx, serverId, actor.id, true), 'createChannel');
    const row = await insertChannel(tx, { id: this.ids.next(), serverId, type: body.type, name: body.name });
    const channel = toChannel(row);
    return outcome(channel, [dispatch('channel_create', channel, serverScope(serverId))]);
  }

  async rename(tx: Db, actor: Actor, channelId: bigint, name: string): Promise<Outcome<Channel>> {
    const standing = await this.access.channel(tx, channelId, actor.id, true);
    if (!standing.server) throw invalidInput('Direct message channels cannot be renamed.');
    requirePermission(standing.server, 'editChannel');
    const row = await renameChannel(tx, channelId, name);
    if (!row) throw notFound('No such channel.');
    const channel = toChannel(row);
    return outcome(channel, [dispatch('channel_update', channel, standing.audience)]);
  }

  async delete(tx: Db, actor: Actor, channelId: bigint): Promise<Outcome<void>> {
    const standing = await this.access.channel(tx, channelId, actor.id, true);
    if (!standing.server) throw invalidInput('Direct message channels cannot be deleted.');
    requirePermission(standing.server, 'deleteChannel');
    if (!(await deleteChannel(tx, channelId))) throw notFound('No such channel.');
    const serverId = standing.server.server.id;
    const d = { id: channelId.toString(), serverId: serverId.toString() };
    return combine(undefined, [
      await this.deleted.tell(serverId, channelId),
      outcome(undefined, [dispatch('channel_delete', d, standing.audience)]),
    ]);
  }
}
