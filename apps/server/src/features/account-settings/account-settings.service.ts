import { CLOSE_CODES, type LoginSession } from '@decentra/protocol';
import { hashToken } from '../../infra/crypto.js';
import { forbidden, notFound } from '../../infra/errors.js';
import type { AuthContext } from '../../kernel/actor.js';
import type { Commands } from '../../kernel/commands.js';
import { type BusMessage, closeSessions, dispatch, sessionRevoked, toUsers } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { UserRow } from '../../storage/rows.js';
import type { Passwords } from '../accounts/password.js';
import { toUser } from '../accounts/user-dto.js';
import type { Mailer } from '../mail/mailer.js';
import {
  liveSessionsOf,
  lockLiveUser,
  revokeSessionOf,
  revokeSessionsOf,
  spendTokensOf,
  takeToken,
  updateUser,
} from './account-settings.repo.js';
import type { MailFlowLimits } from './mail-limits.js';
import { EMAIL_CONFIRM_TTL_MS, issueToken, mailLink, unusableLink } from './mail-tokens.js';
import type { PasswordCheck } from './password-check.js';
import { describeUserAgent } from './user-agent.js';

export interface AccountSettingsDeps {
  db: Db;
  commands: Commands;
  check: PasswordCheck;
  passwords: Passwords;
  mailer: Mailer;
  limits: MailFlowLimits;
  publicUrl: string;
  instanceName: () => Promise<string>;
  now: () => Date;
}

/**
 * Ends login sessions everywhere: REST stops accepting them and their sockets close with 4009.
 * `changed` is the user whose row changed too (password, deletion): every instance's session
 * cache forgets all their sessions, the one kept alive included, so none holds the old row.
 */
export function endSessions(ids: readonly bigint[], reason: string, changed?: bigint): BusMessage[] {
  const events: BusMessage[] = ids.length > 0 ? [closeSessions(ids, CLOSE_CODES.sessionRevoked, reason)] : [];
  if (ids.length > 0 || changed !== undefined) {
    events.push(sessionRevoked({ sessionIds: ids, userIds: changed === undefined ? [] : [changed] }));
  }
  return events;
}

/** The user's own sessions hear their account change (email confirmed, pending address). */
export function userUpdated(row: UserRow): BusMessage {
  return dispatch('user_update', toUser(row), toUsers(row.id));
}

/**
 * What a signed-in user changes about their own account: their login sessions, password and
 * email. Changes confirmed by the password check it outside any transaction (argon2, the
 * throttle), so this service is handed the command runner and opens the transaction itself.
 */
export class AccountSettingsService {
  constructor(private readonly deps: AccountSettingsDeps) {}

  async sessions(auth: AuthContext): Promise<LoginSession[]> {
    const rows = await liveSessionsOf(this.deps.db, auth.actor.id, this.deps.now());
    return rows.map((row) => ({
      id: row.id.toString(),
      current: row.id === auth.sessionId,
      ...describeUserAgent(row.userAgent),
      address: row.address,
      createdAt: row.createdAt.toISOString(),
      lastActiveAt: row.lastActiveAt.toISOString(),
    }));
  }

  /** Only the caller's own live sessions; any other id is not found. */
  async revokeSession(tx: Db, auth: AuthContext, sessionId: bigint): Promise<Outcome<void>> {
    if (!(await revokeSessionOf(tx, auth.actor.id, sessionId, this.deps.now()))) {
      throw notFound('No such session.');
    }
    return outcome(undefined, endSessions([sessionId], 'logged out from another session'));
  }

  async revokeOtherSessions(tx: Db, auth: AuthContext): Promise<Outcome<void>> {
    const ids = await revokeSessionsOf(tx, auth.actor.id, this.deps.now(), auth.sessionId);
    return outcome(undefined, endSessions(ids, 'logged out from another session'));
  }

  /** Every other session ends (whoever knew the old password is logged out); this one stays. */
  async changePassword(
    auth: AuthContext,
    body: { currentPassword: string; newPassword: string },
    address: string,
  ): Promise<void> {
    const { check, passwords, commands, now } = this.deps;
    await check.require(auth.user, body.currentPassword, address);
    const passwordHash = await passwords.hash(body.newPassword);
    await commands.transaction(async (tx) => {
      const user = await this.liveUser(tx, auth);
      await updateUser(tx, user.id, { passwordHash });
      await spendTokensOf(tx, user.id, 'password_reset', now());
      const ids = await revokeSessionsOf(tx, user.id, now(), auth.sessionId);
      return outcome(undefined, endSessions(ids, 'password changed', user.id));
    });
  }

  /**
   * null removes the email (and a pending one). With SMTP on, the new address is pending until the
   * link mailed to it is opened; with SMTP off there is no way to confirm it, so it is set at once.
   */
  async changeEmail(
    auth: AuthContext,
    body: { email: string | null; password: string },
    address: string,
  ): Promise<{ status: 'changed' | 'confirmation_sent' }> {
    const { check, commands, mailer, now } = this.deps;
    await check.require(auth.user, body.password, address);
    const email = body.email;
    const confirm = email !== null && (await mailer.enabled());
    const token = await commands.transaction(async (tx) => {
      const user = await this.liveUser(tx, auth);
      await spendTokensOf(tx, user.id, 'email_confirm', now());
      if (email === null || !confirm) {
        const row = await updateUser(tx, user.id, { email, pendingEmail: null });
        return outcome(undefined, [userUpdated(row)]);
      }
      const value = await issueToken(tx, {
        userId: user.id,
        purpose: 'email_confirm',
        email,
        now: now(),
        ttlMs: EMAIL_CONFIRM_TTL_MS,
      });
      const row = await updateUser(tx, user.id, { pendingEmail: email });
      return outcome(value, [userUpdated(row)]);
    });
    if (token === undefined || email === null) return { status: 'changed' };
    // After the commit: the link must work by the time the mail can arrive.
    mailer.sendInBackground(await this.confirmationMail(auth.user.username, email, token));
    return { status: 'confirmation_sent' };
  }

  /** The link mailed to a new address: it becomes the account's email, once. */
  async confirmEmail(token: string, address: string): Promise<void> {
    const { limits, commands, now } = this.deps;
    await limits.linkAttempt(address);
    await commands.transaction(async (tx) => {
      const row = await takeToken(tx, hashToken(token), 'email_confirm', now());
      const user = row && (await lockLiveUser(tx, row.userId));
      if (!row?.email || !user) throw unusableLink();
      const updated = await updateUser(tx, user.id, { email: row.email, pendingEmail: null });
      return outcome(undefined, [userUpdated(updated)]);
    });
  }

  private async liveUser(tx: Db, auth: AuthContext): Promise<UserRow> {
    const user = await lockLiveUser(tx, auth.actor.id);
    if (!user) throw forbidden('This account no longer exists.');
    return user;
  }

  private async confirmationMail(username: string, to: string, token: string) {
    const instance = await this.deps.instanceName();
    const url = mailLink(this.deps.publicUrl, 'confirm-email', token);
    return {
      to,
      subject: `Confirm your email address for ${instance}`,
      text:
        `Hello ${username},\n\n` +
        `to use this address for your account on ${instance}, open this link:\n\n${url}\n\n` +
        'The link is valid for 24 hours. If you did not ask for this, ignore this mail.\n',
    };
  }
}
