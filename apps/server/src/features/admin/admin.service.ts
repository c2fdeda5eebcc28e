import {
  type AdminInvite,
  type AdminSettings,
  type AdminSettingsInput,
  type AdminUser,
  CLOSE_CODES,
  type InstanceInfo,
  type InstanceOverview,
  type RegistrationMode,
  renderMailTemplate,
  type SmtpSettingsInput,
  type User,
  usernameKey,
} from '@decentra/protocol';
import { conflict, forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { Actor } from '../../kernel/actor.js';
import { type BusMessage, closeSessions, dispatch, sessionRevoked, toUsers } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { UserRow } from '../../storage/rows.js';
import { toUser, toUserRef } from '../accounts/user-dto.js';
import type { Mailer } from '../mail/mailer.js';
import {
  type AdminUserRow,
  anyUserExists,
  countOverview,
  deleteOpenSignupInvite,
  findAdminUser,
  listAdminUsers,
  listOpenSignupInvites,
  lockActiveAdmins,
  lockUser,
  revokeUserSessions,
  updateUserAdminFields,
} from './admin.repo.js';
import type { InstanceSettingsStore } from './instance-settings.js';
import type { SmtpSettingsStore } from './smtp-settings.js';
import { serverVersion } from './version.js';

/** The admin list of signup codes stops here (each person may hold 50 unused ones). */
const INVITE_LIST_LIMIT = 500;

export interface AdminDeps {
  db: Db;
  smtp: SmtpSettingsStore;
  instance: InstanceSettingsStore;
  mailer: Mailer;
  engine: 'pglite' | 'postgres';
  /** config.publicUrl: what `{url}` in a mail becomes. */
  publicUrl: string;
  now: () => Date;
  /** When this server started (the app's clock). */
  startedAt: Date;
}

/**
 * The instance's settings (SMTP, name, registration, welcome mail), its overview, and the admin's
 * hold over accounts and signup codes. Routes check the caller is an admin before anything runs;
 * changes to accounts check it again inside their transaction, against the locked admin rows.
 */
export class AdminService {
  constructor(private readonly deps: AdminDeps) {}

  async settings(db: Db = this.deps.db): Promise<AdminSettings> {
    const { smtp, instance } = this.deps;
    return {
      smtp: await smtp.view(db),
      instance: await instance.instance(db),
      welcome: await instance.welcome(db),
    };
  }

  /** Each section given replaces the stored one; the others stay. */
  async saveSettings(tx: Db, input: AdminSettingsInput): Promise<Outcome<AdminSettings>> {
    const { smtp, instance } = this.deps;
    const now = this.deps.now();
    if (input.smtp) await smtp.save(tx, input.smtp, now);
    if (input.instance) await instance.saveInstance(tx, input.instance, now);
    if (input.welcome) await instance.saveWelcome(tx, input.welcome, now);
    return outcome(await this.settings(tx));
  }

  /** Read inside the signup's transaction (accounts asks). */
  async registrationMode(tx: Db): Promise<RegistrationMode> {
    return (await this.deps.instance.instance(tx)).registration;
  }

  async instanceInfo(): Promise<InstanceInfo> {
    const { db, instance, smtp } = this.deps;
    const { name, registration } = await instance.instance();
    return {
      name,
      registration,
      needsSetup: !(await anyUserExists(db)),
      passwordReset: (await smtp.view()).enabled,
    };
  }

  /**
   * A test mail with the saved settings, or with `smtp` (not saved yet; an omitted password is the
   * stored one). The SMTP server's own words on failure.
   */
  async testMail(
    admin: UserRow,
    body: { to?: string | undefined; smtp?: SmtpSettingsInput | undefined } | null | undefined,
  ): Promise<{ ok: boolean; error?: string }> {
    const address = body?.to ?? admin.email ?? undefined;
    if (!address)
      return { ok: false, error: 'No address to send to: give "to", or add an email to your account.' };
    try {
      const config = body?.smtp ? await this.deps.smtp.configFrom(body.smtp) : undefined;
      const { name } = await this.deps.instance.instance();
      await this.deps.mailer.send(
        {
          to: address,
          subject: `${name} test email`,
          text: `This is a test email from ${name}. If you can read it, email works.`,
        },
        config,
      );
      return { ok: true };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The welcome mail, as the admin wrote it, to a new account that gave an email (in the background). */
  async sendWelcome(user: User): Promise<void> {
    if (!user.email) return;
    const { instance, mailer, publicUrl } = this.deps;
    const welcome = await instance.welcome();
    if (!welcome.enabled) return;
    const values = { username: user.username, instance: (await instance.instance()).name, url: publicUrl };
    mailer.sendInBackground({
      to: user.email,
      subject: renderMailTemplate(welcome.subject, values),
      text: renderMailTemplate(welcome.text, values),
    });
  }

  async overview(): Promise<InstanceOverview> {
    const { db, engine, startedAt } = this.deps;
    const counts = await countOverview(db);
    return {
      users: counts.users,
      servers: counts.servers,
      messages: counts.messages,
      storage: { engine: engine === 'pglite' ? 'embedded' : 'postgres', databaseBytes: counts.databaseBytes },
      version: serverVersion(),
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.max(0, Math.floor((this.deps.now().getTime() - startedAt.getTime()) / 1000)),
    };
  }

  async listUsers(query: {
    q?: string | undefined;
    after?: string | undefined;
    limit: number;
  }): Promise<AdminUser[]> {
    const q = query.q === '' ? undefined : query.q;
    const rows = await listAdminUsers(this.deps.db, {
      qKey: q === undefined ? undefined : usernameKey(q),
      qText: q,
      afterKey: query.after === undefined ? undefined : usernameKey(query.after),
      limit: query.limit,
    });
    return rows.map(toAdminUser);
  }

  /**
   * Disables or enables an account, grants or withdraws the admin right. The active admins' rows
   * are locked first (then the target's), so that of two changes that would each leave one admin,
   * the second sees the first's result and is refused: there is always an active admin.
   */
  async updateUser(
    tx: Db,
    actor: Actor,
    userId: bigint,
    change: { disabled?: boolean | undefined; isAdmin?: boolean | undefined },
  ): Promise<Outcome<AdminUser>> {
    if (userId === actor.id && (change.disabled === true || change.isAdmin === false)) {
      throw invalidInput('You cannot disable yourself or withdraw your own admin right.', {
        reason: 'own_account',
      });
    }
    const admins = await lockActiveAdmins(tx);
    const target = await lockUser(tx, userId);
    if (!target) throw notFound('No such user.');
    const staysActiveAdmin =
      (change.isAdmin ?? target.isAdmin) && !(change.disabled ?? target.disabledAt !== null);
    if (admins.includes(target.id) && !staysActiveAdmin && admins.length <= 1) {
      throw conflict('This is the last admin: make someone else an admin first.', { reason: 'last_admin' });
    }
    if (!admins.includes(actor.id)) throw forbidden('Only the admin can do that.');

    const set: { isAdmin?: boolean; disabledAt?: Date | null } = {};
    if (change.isAdmin !== undefined && change.isAdmin !== target.isAdmin) set.isAdmin = change.isAdmin;
    if (change.disabled === true && target.disabledAt === null) set.disabledAt = this.deps.now();
    if (change.disabled === false && target.disabledAt !== null) set.disabledAt = null;
    const events: BusMessage[] = [];
    if (Object.keys(set).length > 0) {
      const updated = await updateUserAdminFields(tx, userId, set);
      if (set.isAdmin !== undefined)
        events.push(dispatch('user_update', toUser(updated), toUsers(updated.id)));
      if (set.disabledAt) {
        const sessionIds = await revokeUserSessions(tx, userId, set.disabledAt);
        if (sessionIds.length > 0) {
          events.push(closeSessions(sessionIds, CLOSE_CODES.accountDisabled, 'account disabled'));
        }
      }
      // The admin flag or the disable changed the row every cached session of theirs carries.
      events.push(sessionRevoked({ sessionIds: [], userIds: [userId] }));
    }
    const row = await findAdminUser(tx, userId);
    if (!row) throw notFound('No such user.');
    return outcome(toAdminUser(row), events);
  }

  async listInvites(): Promise<AdminInvite[]> {
    const rows = await listOpenSignupInvites(this.deps.db, this.deps.now(), INVITE_LIST_LIMIT);
    return rows.map((r) => ({
      code: r.code,
      ...(r.creator ? { createdBy: toUserRef(r.creator) } : {}),
      createdAt: r.createdAt.toISOString(),
      ...(r.expiresAt ? { expiresAt: r.expiresAt.toISOString() } : {}),
    }));
  }

  /** Only a signup code that could still be used; a server invite is its owner's to revoke. */
  async revokeInvite(tx: Db, code: string): Promise<Outcome<void>> {
    if (!(await deleteOpenSignupInvite(tx, code, this.deps.now())))
      throw notFound('No such unused signup code.');
    return outcome(undefined);
  }
}

function toAdminUser(row: AdminUserRow): AdminUser {
  const { user } = row;
  return {
    id: user.id.toString(),
    username: user.username,
    ...(user.email ? { email: user.email } : {}),
    isAdmin: user.isAdmin,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
    ...(row.lastSeenAt ? { lastSeenAt: row.lastSeenAt.toISOString() } : {}),
    ...(row.inviter ? { invitedBy: toUserRef(row.inviter) } : {}),
  };
}
