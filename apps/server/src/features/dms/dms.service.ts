import type { Channel } from '@decentra/protocol';
import { dispatch } from '../../bus/bus.js';
import { forbidden, invalidInput } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Db } from '../../storage/db.js';
import { areFriends } from '../friends/friends.repo.js';
import type { Actor, Outcome } from '../servers/servers.service.js';
import { type DmRow, dmsOfUser, findDm, findDmByPair, insertDm, usernames } from './dms.repo.js';

class LostRace extends Error {}

/**
 * Direct messages: one `dm` channel per pair of users, opened with a friend. Its messages use the
 * message endpoints; only its two ends can read or write it, and writing needs the friendship.
 */
export class DmsService {
  constructor(
    private readonly db: Db,
    private readonly ids: IdGenerator,
  ) {}

  /** The pair's one DM channel, made on first open (concurrent opens agree on one). */
  async open(actor: Actor, otherId: bigint): Promise<Outcome<Channel>> {
    if (otherId === actor.id) throw invalidInput('You cannot open a direct message with yourself.');
    const existing = await findDmByPair(this.db, actor.id, otherId);
    if (existing) return { result: await this.toChannel(existing), events: [] };
    if (!(await areFriends(this.db, actor.id, otherId)))
      throw forbidden('You can only message your friends.');
    const names = await usernames(this.db, [actor.id, otherId]);
    let created = true;
    try {
      await this.db.transaction(async (tx) => {
        const row = await insertDm(tx, this.ids.next(), actor.id, otherId, dmName(actor.id, otherId, names));
        // Another open won the race: undo our channel row and use theirs.
        if (!row) throw new LostRace();
      });
    } catch (err) {
      if (!(err instanceof LostRace)) throw err;
      created = false;
    }
    const row = await findDmByPair(this.db, actor.id, otherId);
    if (!row) throw new Error('DM vanished after being created');
    const channel = await this.toChannel(row);
    if (!created) return { result: channel, events: [] };
    const ends = [row.userLow.toString(), row.userHigh.toString()];
    return { result: channel, events: [dispatch('dm_create', channel, { kind: 'users', userIds: ends })] };
  }

  async list(userId: bigint): Promise<Channel[]> {
    const rows = await dmsOfUser(this.db, userId);
    const names = await usernames(this.db, [...new Set(rows.flatMap((r) => [r.userLow, r.userHigh]))]);
    return rows.map((r) => toDmChannel(r, names));
  }

  /** The two ends of a DM channel, or undefined when it is not a DM. */
  readonly ends = async (db: Db, channelId: bigint): Promise<bigint[] | undefined> => {
    const row = await findDm(db, channelId);
    return row ? [row.userLow, row.userHigh] : undefined;
  };

  /** Sending needs the friendship at send time; reading the history does not. */
  readonly canSend = async (db: Db, ends: bigint[], senderId: bigint): Promise<void> => {
    const other = ends.find((id) => id !== senderId);
    if (other === undefined || !(await areFriends(db, senderId, other))) {
      throw forbidden('You can only message your friends.');
    }
  };

  private async toChannel(row: DmRow): Promise<Channel> {
    return toDmChannel(row, await usernames(this.db, [row.userLow, row.userHigh]));
  }
}

function dmName(a: bigint, b: bigint, names: Map<bigint, string>): string {
  return [a, b]
    .sort((x, y) => (x < y ? -1 : 1))
    .map((id) => names.get(id) ?? '?')
    .join(', ');
}

function toDmChannel(row: DmRow, names: Map<bigint, string>): Channel {
  const recipients = [row.userLow, row.userHigh].map((id) => ({
    id: id.toString(),
    username: names.get(id) ?? '?',
  }));
  return {
    id: row.channelId.toString(),
    serverId: null,
    type: 'dm',
    name: recipients.map((r) => r.username).join(', '),
    recipients,
  };
}
