import { hashToken } from '../../infra/crypto.js';
import { DomainError, notFound } from '../../infra/errors.js';
import type { Logger } from '../../infra/logger.js';
import type { Commands } from '../../kernel/commands.js';
import { outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { UserRow } from '../../storage/rows.js';
import type { Passwords } from '../accounts/password.js';
import type { Mail, Mailer } from '../mail/mailer.js';
import {
  findUsableToken,
  liveUsersWithEmail,
  lockLiveUser,
  revokeSessionsOf,
  spendTokensOf,
  takeToken,
  updateUser,
} from './account-settings.repo.js';
import { endSessions } from './account-settings.service.js';
import type { MailFlowLimits } from './mail-limits.js';
import { issueToken, mailLink, PASSWORD_RESET_TTL_MS, unusableLink } from './mail-tokens.js';

export interface PasswordResetDeps {
  db: Db;
  commands: Commands;
  passwords: Passwords;
  mailer: Mailer;
  limits: MailFlowLimits;
  publicUrl: string;
  instanceName: () => Promise<string>;
  log: Logger;
  now: () => Date;
}

/**
 * "Forgot password": a single-use link valid for an hour, mailed to the account's address (or, by
 * an admin, handed over). Opening it sets a new password and ends every session of the account.
 */
export class PasswordResetService {
  constructor(private readonly deps: PasswordResetDeps) {}

  /**
   * The answer is the same whether or not an account has this address: the lookup and the mail
   * happen after it, in the background, so neither the answer nor its timing says anything.
   */
  async request(email: string, address: string): Promise<void> {
    const { mailer, limits, log } = this.deps;
    if (!(await mailer.enabled())) {
      throw new DomainError(
        'unavailable',
        'This server cannot send mail: ask an admin to reset your password.',
      );
    }
    await limits.resetRequest(address, email);
    this.mailLinks(email).catch((err: unknown) => log.warn({ err }, 'could not send password reset mails'));
  }

  /** A valid link: the new password, the link (and every other reset link of the account) spent. */
  async confirm(token: string, password: string, address: string): Promise<void> {
    const { db, commands, passwords, limits, now } = this.deps;
    await limits.linkAttempt(address);
    const tokenHash = hashToken(token);
    // Checked before the (slow) hash; taken for good inside the transaction.
    if (!(await findUsableToken(db, tokenHash, 'password_reset', now()))) throw unusableLink();
    const passwordHash = await passwords.hash(password);
    await commands.transaction(async (tx) => {
      const row = await takeToken(tx, tokenHash, 'password_reset', now());
      const user = row && (await lockLiveUser(tx, row.userId));
      if (!user) throw unusableLink();
      await updateUser(tx, user.id, { passwordHash });
      await spendTokensOf(tx, user.id, 'password_reset', now());
      const ids = await revokeSessionsOf(tx, user.id, now());
      return outcome(undefined, endSessions(ids, 'password reset', user.id));
    });
  }

  /** An admin's reset: mailed when the account has an address and SMTP is on, else the link itself. */
  async adminReset(userId: bigint): Promise<{ delivery: 'mail' | 'link'; url?: string }> {
    const { commands, mailer } = this.deps;
    const { user, url } = await commands.transaction(async (tx) => {
      const row = await lockLiveUser(tx, userId);
      if (!row) throw notFound('No such user.');
      return outcome({ user: row, url: await this.newLink(tx, row) });
    });
    if (user.email && (await mailer.enabled())) {
      mailer.sendInBackground(await this.resetMail(user, user.email, url));
      return { delivery: 'mail' };
    }
    return { delivery: 'link', url };
  }

  private async mailLinks(email: string): Promise<void> {
    const { db, commands, mailer } = this.deps;
    for (const user of await liveUsersWithEmail(db, email)) {
      const url = await commands.transaction(async (tx) => outcome(await this.newLink(tx, user)));
      mailer.sendInBackground(await this.resetMail(user, user.email ?? email, url));
    }
  }

  private async newLink(tx: Db, user: UserRow): Promise<string> {
    const token = await issueToken(tx, {
      userId: user.id,
      purpose: 'password_reset',
      now: this.deps.now(),
      ttlMs: PASSWORD_RESET_TTL_MS,
    });
    return mailLink(this.deps.publicUrl, 'reset-password', token);
  }

  private async resetMail(user: UserRow, to: string, url: string): Promise<Mail> {
    const instance = await this.deps.instanceName();
    return {
      to,
      subject: `Reset your password on ${instance}`,
      text:
        `Hello ${user.username},\n\n` +
        `someone asked to reset the password of your account "${user.username}" on ${instance}. ` +
        `To choose a new one, open this link:\n\n${url}\n\n` +
        'The link is valid for one hour and works once. Every device logged in to your account ' +
        'will be logged out. If you did not ask for this, ignore this mail: nothing changes.\n',
    };
  }
}
