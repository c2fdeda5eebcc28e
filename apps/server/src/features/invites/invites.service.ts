import type { InviteResponse } from '@decentra/protocol';
import { newInviteCode } from '../../infra/crypto.js';
import { type DomainError, forbidden } from '../../infra/errors.js';
import type { Actor } from '../../kernel/actor.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { InviteRow } from '../../storage/rows.js';
import {
  countOpenSignupInvites,
  findInvite,
  insertInvite,
  lockInviter,
  recordInviteUse,
  retireInvitesOf,
  takeInviteUse,
} from './invites.repo.js';

export const MAX_OPEN_SIGNUP_INVITES = 50;

export class InvitesService {
  /**
   * Any member of the instance may invite one more person: a single-use signup code. Unused codes
   * are capped per user, so nobody can fill the database with them.
   */
  async createSignupInvite(tx: Db, actor: Actor): Promise<Outcome<InviteResponse>> {
    await lockInviter(tx, actor.id);
    if ((await countOpenSignupInvites(tx, actor.id)) >= MAX_OPEN_SIGNUP_INVITES) {
      throw forbidden(`You already have ${MAX_OPEN_SIGNUP_INVITES} unused invite codes. Share those first.`, {
        reason: 'invite_limit',
        limit: MAX_OPEN_SIGNUP_INVITES,
      });
    }
    const row = await insertInvite(tx, { code: newInviteCode(), createdBy: actor.id, maxUses: 1 });
    return outcome({ code: row.code });
  }

  /** A server invite (owner only, checked by the caller): single use unless `maxUses`, optional expiry. */
  async createServerInvite(
    tx: Db,
    serverId: bigint,
    createdBy: bigint,
    options: { maxUses: number; expiresAt: Date | null },
  ): Promise<InviteRow> {
    return insertInvite(tx, {
      code: newInviteCode(),
      createdBy,
      serverId,
      maxUses: options.maxUses,
      expiresAt: options.expiresAt,
    });
  }

  /** An account being deleted: the codes it made can no longer be used. */
  async retireAllOf(tx: Db, userId: bigint): Promise<Outcome<void>> {
    await retireInvitesOf(tx, userId);
    return outcome(undefined);
  }

  find(db: Db, code: string): Promise<InviteRow | undefined> {
    return findInvite(db, code);
  }

  /**
   * Spends one use of `code` for `userId` inside the caller's transaction, so a signup that
   * fails later (name taken) gives the use back. Refuses with a reason a person can act on.
   */
  async redeem(tx: Db, code: string, userId: bigint, now: Date): Promise<InviteRow> {
    const taken = await takeInviteUse(tx, code, now);
    if (!taken) throw whyUnusable(await findInvite(tx, code), now);
    await recordInviteUse(tx, code, userId);
    return taken;
  }
}

export function unknownCode(): DomainError<'forbidden'> {
  return forbidden('This invite code does not exist.', { reason: 'unknown_code' });
}

function whyUnusable(row: InviteRow | undefined, now: Date): DomainError<'forbidden'> {
  if (!row) return unknownCode();
  if (row.expiresAt && row.expiresAt <= now) {
    return forbidden('This invite code has expired.', { reason: 'expired' });
  }
  return forbidden('This invite code has already been used.', { reason: 'used' });
}
