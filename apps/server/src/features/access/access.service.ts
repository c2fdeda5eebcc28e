import { notFound } from '../../infra/errors.js';
import { serverScope, toUsers } from '../../kernel/events.js';
import type { Db } from '../../storage/db.js';
import { type ChannelAccess, type ServerAccess, serverAccessOf } from './access.policy.js';
import { findChannel, findDm, findMembership } from './access.repo.js';

/**
 * Who may touch a server or a channel, decided once for every feature. A server you are not a
 * member of, or a channel you cannot read, does not exist for you (404, the same as one that does
 * not exist), so ids reveal nothing. Pass `lock` inside a write's transaction (access.repo.ts).
 */
export class AccessService {
  async server(db: Db, serverId: bigint, userId: bigint, lock = false): Promise<ServerAccess> {
    const row = await findMembership(db, serverId, userId, lock);
    if (!row) throw notFound('No such server.');
    return serverAccessOf(row.server, row.member);
  }

  /**
   * Members of its server, or the two ends of a DM, may read and write a channel. With
   * `lock: 'channel too'` the channel's row is held as well (key share): for a change that must
   * not outlive the channel (joining its voice), which a deletion then waits for.
   */
  async channel(
    db: Db,
    channelId: bigint,
    userId: bigint,
    lock: boolean | 'channel too' = false,
  ): Promise<ChannelAccess> {
    const channel = await findChannel(db, channelId, lock === 'channel too');
    if (!channel) throw notFound('No such channel.');
    if (channel.serverId === null) {
      const dm = await findDm(db, channel.id);
      if (!dm || (dm.userLow !== userId && dm.userHigh !== userId)) throw notFound('No such channel.');
      return {
        channel,
        server: undefined,
        dmEnds: [dm.userLow, dm.userHigh],
        audience: toUsers(dm.userLow, dm.userHigh),
      };
    }
    const row = await findMembership(db, channel.serverId, userId, lock !== false);
    if (!row) throw notFound('No such channel.');
    return {
      channel,
      server: serverAccessOf(row.server, row.member),
      dmEnds: undefined,
      audience: serverScope(channel.serverId),
    };
  }
}
