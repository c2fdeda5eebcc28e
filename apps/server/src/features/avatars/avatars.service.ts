import type { User } from '@decentra/protocol';
import { notFound } from '../../infra/errors.js';
import type { Actor } from '../../kernel/actor.js';
import { type BusMessage, dispatch, serverScope, toUsers } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { UserRow } from '../../storage/rows.js';
import { requireOwner } from '../access/access.policy.js';
import type { AccessService } from '../access/access.service.js';
import { toUser, toUserRef } from '../accounts/user-dto.js';
import { toServerUpdate } from '../servers/server-dto.js';
import { type AvatarImage, toAvatarImage } from './avatar-image.js';
import type { AvatarRateLimit } from './avatar-rate-limit.js';
import {
  findImage,
  forgetIfUnused,
  putImage,
  setServerIcon,
  setUserAvatar,
  watchersOf,
} from './avatars.repo.js';

/**
 * Avatars and server icons: pictures made square and small (`toAvatarImage`), kept by hash in
 * the database, shown by hash. A picture nobody shows any more is deleted in the same change.
 */
export class AvatarsService {
  constructor(private readonly deps: { db: Db; access: AccessService; rateLimit: AvatarRateLimit }) {}

  /** The stored picture of an upload; CPU work, done before (outside) the transaction. */
  async encode(actor: Actor, bytes: Buffer): Promise<AvatarImage> {
    await this.deps.rateLimit.take(actor.id);
    return toAvatarImage(bytes);
  }

  /** Sets (or with null removes) my avatar; my sessions and everyone who sees me are told. */
  async setAvatar(tx: Db, actor: Actor, image: AvatarImage | null): Promise<Outcome<User>> {
    if (image) await putImage(tx, image);
    const changed = await setUserAvatar(tx, actor.id, image?.hash ?? null);
    if (!changed) throw notFound('No such user.');
    const { before, after } = changed;
    if (before !== null && before !== after.avatarHash) await forgetIfUnused(tx, before);
    const user = toUser(after);
    if (before === after.avatarHash) return outcome(user);
    return outcome(user, await this.userEvents(tx, after));
  }

  /** Refuses early (before the picture is decoded) whoever may not change this server's icon. */
  async checkIconRight(actor: Actor, serverId: bigint): Promise<void> {
    requireOwner(await this.deps.access.server(this.deps.db, serverId, actor.id));
  }

  /** Sets (or with null removes) a server's icon: its owner only. Members hear `server_update`. */
  async setServerIcon(
    tx: Db,
    actor: Actor,
    serverId: bigint,
    image: AvatarImage | null,
  ): Promise<Outcome<void>> {
    requireOwner(await this.deps.access.server(tx, serverId, actor.id, true));
    if (image) await putImage(tx, image);
    const changed = await setServerIcon(tx, serverId, image?.hash ?? null);
    if (!changed) throw notFound('No such server.');
    const { before, after } = changed;
    if (before !== null && before !== after.iconHash) await forgetIfUnused(tx, before);
    if (before === after.iconHash) return outcome(undefined);
    return outcome(undefined, [dispatch('server_update', toServerUpdate(after), serverScope(serverId))]);
  }

  /** A deleted account shows no picture: it is dropped, and the image with it if no one else uses it. */
  async forget(tx: Db, userId: bigint): Promise<Outcome<void>> {
    const changed = await setUserAvatar(tx, userId, null);
    if (changed?.before) await forgetIfUnused(tx, changed.before);
    return outcome(undefined);
  }

  /** A picture's webp bytes, for any logged-in user (hashes are not guessable, pictures not secret). */
  async image(hash: string): Promise<Buffer> {
    const data = await findImage(this.deps.db, hash);
    if (!data) throw notFound('No such picture.');
    return data;
  }

  private async userEvents(tx: Db, row: UserRow): Promise<BusMessage[]> {
    const events: BusMessage[] = [dispatch('user_update', toUser(row), toUsers(row.id))];
    const watchers = await watchersOf(tx, row.id);
    if (watchers.length > 0) events.push(dispatch('user_ref_update', toUserRef(row), toUsers(...watchers)));
    return events;
  }
}
