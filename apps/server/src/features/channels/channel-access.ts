import type { Audience } from '../../bus/bus.js';
import { notFound } from '../../infra/errors.js';
import type { Db } from '../../storage/db.js';
import { type ServerAccess, serverAccess } from '../servers/access.js';
import type { ChannelRow } from '../servers/server-dto.js';
import { serverScope } from '../servers/servers.service.js';
import { findChannel } from './channels.repo.js';

export interface ChannelAccess {
  channel: ChannelRow;
  /** The caller's standing in the channel's server; undefined for a DM channel. */
  server: ServerAccess | undefined;
  /** The two ends of a DM channel; undefined for a server channel. */
  dmEnds: bigint[] | undefined;
  /** Who hears about what happens in this channel. */
  audience: Audience;
}

/** Supplied by the DM feature: the two ends of a DM channel (undefined if it is none). */
export type DmEnds = (db: Db, channelId: bigint) => Promise<bigint[] | undefined>;

/**
 * Who may read and write a channel: members of its server, or the two ends of a DM (decided by
 * the DM feature through `dmEnds`). Anyone else is told the channel does not exist.
 */
export async function channelAccess(
  db: Db,
  channelId: bigint,
  userId: bigint,
  dmEnds?: DmEnds,
): Promise<ChannelAccess> {
  const channel = await findChannel(db, channelId);
  if (!channel) throw notFound('No such channel.');
  if (channel.serverId === null) {
    const ends = await dmEnds?.(db, channel.id);
    if (!ends?.includes(userId)) throw notFound('No such channel.');
    const userIds = ends.map(String);
    return { channel, server: undefined, dmEnds: ends, audience: { kind: 'users', userIds } };
  }
  const server = await serverAccess(db, channel.serverId, userId).catch(() => {
    throw notFound('No such channel.');
  });
  return { channel, server, dmEnds: undefined, audience: serverScope(channel.serverId) };
}
