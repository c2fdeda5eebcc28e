import type { Channel } from '@decentra/protocol';
import { forbidden, invalidInput } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Actor } from '../../kernel/actor.js';
import { dispatch, toUsers } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import { ReadBatch } from '../../kernel/read-batch.js';
import { type Db, readBatching } from '../../storage/db.js';
import type { DmRow } from '../../storage/rows.js';
import { toUserRef } from '../accounts/user-dto.js';
import type { FriendsService } from '../friends/friends.service.js';
import { dmsOfUsers, findDmByPair, insertDm, usernames } from './dms.repo.js';

class LostRace extends Error {}

/**
 * Direct messages: one `dm` channel per pair of users, opened with a friend. Its messages use the
 * message endpoints; only its two ends can read or write it, and writing needs the friendship.
 */
export class DmsService {
  /** `ready`'s reads: the asks of one turn (a reconnect storm) are one query each. */
  private readonly dmsBatch: ReadBatch<bigint, DmRow[]>;
  private readonly namesBatch: ReadBatch<bigint, Name | undefined>;

  constructor(
    db: Db,
    private readonly ids: IdGenerator,
    private readonly friends: FriendsService,
  ) {
    this.dmsBatch = new ReadBatch(
      (userIds) => dmsOfUsers(db, userIds),
      () => [],
      readBatching(db),
    );
    this.namesBatch = new ReadBatch<bigint, Name | undefined>(
      (userIds) => usernames(db, userIds),
      () => undefined,
      readBatching(db),
    );
  }

  /** The pair's one DM channel, made on first open (concurrent opens agree on one). */
  async open(tx: Db, actor: Actor, otherId: bigint): Promise<Outcome<Channel>> {
    if (otherId === actor.id) throw invalidInput('You cannot open a direct message with yourself.');
    const existing = await findDmByPair(tx, actor.id, otherId);
    if (existing) return outcome(await this.toChannel(tx, existing));
    if (!(await this.friends.areFriends(tx, actor.id, otherId)))
      throw forbidden('You can only message your friends.');
    const names = await usernames(tx, [actor.id, otherId]);
    let created = true;
    try {
      // A savepoint: when another open made the pair's DM first, our channel row is undone.
      await tx.transaction(async (sp) => {
        const row = await insertDm(sp, this.ids.next(), actor.id, otherId, dmName(actor.id, otherId, names));
        if (!row) throw new LostRace();
      });
    } catch (err) {
      if (!(err instanceof LostRace)) throw err;
      created = false;
    }
    const row = await findDmByPair(tx, actor.id, otherId);
    if (!row) throw new Error('DM vanished after being created');
    const channel = await this.toChannel(tx, row);
    if (!created) return outcome(channel);
    return outcome(channel, [dispatch('dm_create', channel, toUsers(row.userLow, row.userHigh))]);
  }

  async list(userId: bigint): Promise<Channel[]> {
    const rows = await this.dmsBatch.load(userId);
    const ids = [...new Set(rows.flatMap((r) => [r.userLow, r.userHigh]))];
    const names: Names = new Map();
    const found = await Promise.all(ids.map((id) => this.namesBatch.load(id)));
    ids.forEach((id, i) => {
      const name = found[i];
      if (name) names.set(id, name);
    });
    return rows.map((r) => toDmChannel(r, names));
  }

  /** Sending needs the friendship at send time; reading the history does not. */
  readonly canSend = async (db: Db, ends: readonly bigint[], senderId: bigint): Promise<void> => {
    const other = ends.find((id) => id !== senderId);
    if (other === undefined || !(await this.friends.areFriends(db, senderId, other))) {
      throw forbidden('You can only message your friends.');
    }
  };

  private async toChannel(db: Db, row: DmRow): Promise<Channel> {
    return toDmChannel(row, await usernames(db, [row.userLow, row.userHigh]));
  }
}

type Names = Awaited<ReturnType<typeof usernames>>;
type Name = Names extends Map<bigint, infer N> ? N : never;

function dmName(a: bigint, b: bigint, names: Names): string {
  return [a, b]
    .sort((x, y) => (x < y ? -1 : 1))
    .map((id) => names.get(id)?.username ?? '?')
    .join(', ');
}

function toDmChannel(row: DmRow, names: Names): Channel {
  const recipients = [row.userLow, row.userHigh].map((id) =>
    toUserRef({ id, username: '?', avatarHash: null, ...names.get(id) }),
  );
  return {
    id: row.channelId.toString(),
    serverId: null,
    type: 'dm',
    name: recipients.map((r) => r.username).join(', '),
    recipients,
  };
}
