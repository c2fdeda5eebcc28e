import type { RouteHandlers } from '../http/api.js';
import type { Logger } from '../infra/logger.js';
import type { Commands } from '../kernel/commands.js';
import type { Db } from '../storage/db.js';
import type { AccountsService } from './accounts/accounts.service.js';
import { adminRoutes } from './admin/admin.routes.js';
import { AdminService } from './admin/admin.service.js';
import { SmtpSettingsStore } from './admin/smtp-settings.js';
import { Mailer } from './mail/mailer.js';
import { settingsRoutes } from './settings/settings.routes.js';
import { SettingsService } from './settings/settings.service.js';

/** Per-user settings, the admin's instance settings (SMTP) and the mail they enable. */
export function registerInstanceFeatures(deps: {
  db: Db;
  commands: Commands;
  accounts: AccountsService;
  encryptionKey: Buffer;
  log: Logger;
}) {
  const { db, commands, accounts } = deps;
  const settings = new SettingsService(db);
  const smtp = new SmtpSettingsStore(db, deps.encryptionKey);
  const mailer = new Mailer(smtp, deps.log);
  const admin = new AdminService(smtp, mailer);
  accounts.onSignedUp((user) => {
    if (!user.email) return;
    mailer.sendInBackground({
      to: user.email,
      subject: 'Welcome to Decentra',
      text: `Hello ${user.username},\n\nyour Decentra account is ready. See you in the chat!\n`,
    });
  });
  const routes = {
    ...settingsRoutes({ settings, commands }),
    ...adminRoutes({ admin, commands }),
  } satisfies Partial<RouteHandlers>;
  return { settings, mailer, admin, routes };
}
