import type { InviteResponse } from '@decentra/protocol';
import { eq } from 'drizzle-orm';
import { newInviteCode } from '../../infra/crypto.js';
import { DomainError } from '../../infra/errors.js';
import type { Db } from '../../storage/db.js';
import { invites } from '../../storage/schema.js';
import {
  countOpenSignupInvites,
  type InviteRow,
  insertInvite,
  recordInviteUse,
  takeInviteUse,
} from './invites.repo.js';

export const MAX_OPEN_SIGNUP_INVITES = 50;

export class InvitesService {
  constructor(private readonly db: Db) {}

  /**
   * Any member of the instance may invite one more person: a single-use signup code. Unused codes
   * are capped per user, so nobody can fill the database with them.
   */
  async createSignupInvite(userId: string): Promise<InviteResponse> {
    if ((await countOpenSignupInvites(this.db, BigInt(userId))) >= MAX_OPEN_SIGNUP_INVITES) {
      throw new DomainError(
        'forbidden',
        `You already have ${MAX_OPEN_SIGNUP_INVITES} unused invite codes. Share those first.`,
        { reason: 'invite_limit', limit: MAX_OPEN_SIGNUP_INVITES },
      );
    }
    const row = await insertInvite(this.db, { code: newInviteCode(), createdBy: BigInt(userId), maxUses: 1 });
    return { code: row.code };
  }

  /** A server invite (owner only, checked by the caller): single use unless `maxUses`, optional expiry. */
  async createServerInvite(
    serverId: bigint,
    createdBy: bigint,
    options: { maxUses: number; expiresAt: Date | null },
  ): Promise<InviteRow> {
    return insertInvite(this.db, {
      code: newInviteCode(),
      createdBy,
      serverId,
      maxUses: options.maxUses,
      expiresAt: options.expiresAt,
    });
  }

  async find(db: Db, code: string): Promise<InviteRow | undefined> {
    const [row] = await db.select().from(invites).where(eq(invites.code, code));
    return row;
  }

  /**
   * Spends one use of `code` for `userId` inside the caller's transaction, so a signup that
   * fails later (name taken) gives the use back. Refuses with a reason a person can act on.
   */
  async redeem(tx: Db, code: string, userId: bigint, now: Date): Promise<InviteRow> {
    const taken = await takeInviteUse(tx, code, now);
    if (!taken) throw await this.whyUnusable(tx, code, now);
    await recordInviteUse(tx, code, userId);
    return taken;
  }

  private async whyUnusable(tx: Db, code: string, now: Date): Promise<DomainError> {
    const [row] = await tx.select().from(invites).where(eq(invites.code, code));
    if (!row)
      return new DomainError('forbidden', 'This invite code does not exist.', { reason: 'unknown_code' });
    if (row.expiresAt && row.expiresAt <= now) {
      return new DomainError('forbidden', 'This invite code has expired.', { reason: 'expired' });
    }
    return new DomainError('forbidden', 'This invite code has already been used.', { reason: 'used' });
  }
}
