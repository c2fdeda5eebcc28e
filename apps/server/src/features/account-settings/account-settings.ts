import type { RouteHandlers } from '../../http/api.js';
import type { Logger } from '../../infra/logger.js';
import type { LimiterFactory } from '../../infra/rate-limiter.js';
import type { Commands } from '../../kernel/commands.js';
import type { Db } from '../../storage/db.js';
import type { AuthThrottle } from '../accounts/auth-throttle.js';
import type { Passwords } from '../accounts/password.js';
import type { AvatarsService } from '../avatars/avatars.service.js';
import type { FriendsService } from '../friends/friends.service.js';
import type { InvitesService } from '../invites/invites.service.js';
import type { Mailer } from '../mail/mailer.js';
import type { MembersService } from '../members/members.service.js';
import type { PushService } from '../push/push.service.js';
import type { ReadStatesService } from '../read-states/read-states.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AccountExportService } from './account-export.service.js';
import { accountSettingsRoutes } from './account-settings.routes.js';
import { AccountSettingsService } from './account-settings.service.js';
import { DEFAULT_MAIL_LIMITS, MailFlowLimits, type MailLimits } from './mail-limits.js';
import { PasswordCheck } from './password-check.js';
import { PasswordResetService } from './password-reset.service.js';

export interface AccountSettingsFeatureDeps {
  db: Db;
  commands: Commands;
  throttle: AuthThrottle;
  passwords: Passwords;
  mailer: Mailer;
  limiters: LimiterFactory;
  mailLimits?: Partial<MailLimits> | undefined;
  /** DECENTRA_PUBLIC_URL: where the mailed links point. */
  publicUrl: string;
  /** The instance's name, for the mails. */
  instanceName: () => Promise<string>;
  servers: ServersService;
  members: MembersService;
  friends: FriendsService;
  invites: InvitesService;
  settings: SettingsService;
  readStates: ReadStatesService;
  push: PushService;
  avatars: AvatarsService;
  log: Logger;
  now: () => Date;
}

/** A user's own account (sessions, password, email, export, deletion), password reset, and the admin's deletions and resets. */
export function registerAccountSettings(deps: AccountSettingsFeatureDeps) {
  const { db, commands, passwords, mailer, publicUrl, instanceName, now } = deps;
  const check = new PasswordCheck(deps.throttle, passwords);
  const limits = new MailFlowLimits({ ...DEFAULT_MAIL_LIMITS, ...deps.mailLimits }, deps.limiters);
  const account = new AccountSettingsService({
    db,
    commands,
    check,
    passwords,
    mailer,
    limits,
    publicUrl,
    instanceName,
    now,
  });
  const resets = new PasswordResetService({
    db,
    commands,
    passwords,
    mailer,
    limits,
    publicUrl,
    instanceName,
    log: deps.log,
    now,
  });
  const deletion = new AccountDeletionService({
    commands,
    check,
    servers: deps.servers,
    members: deps.members,
    friends: deps.friends,
    invites: deps.invites,
    settings: deps.settings,
    readStates: deps.readStates,
    push: deps.push,
    avatars: deps.avatars,
    now,
  });
  const exports = new AccountExportService({
    db,
    settings: deps.settings,
    account,
    limiters: deps.limiters,
    now,
  });
  const routes = accountSettingsRoutes({
    account,
    resets,
    deletion,
    exports,
    commands,
  }) satisfies Partial<RouteHandlers>;
  return { routes };
}
