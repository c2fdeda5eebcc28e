import type { Config } from '../config.js';
import type { RouteHandlers } from '../http/api.js';
import type { Logger } from '../infra/logger.js';
import type { Clock } from '../kernel/clock.js';
import type { Commands } from '../kernel/commands.js';
import type { Db } from '../storage/db.js';
import type { AccountsService } from './accounts/accounts.service.js';
import { adminRoutes } from './admin/admin.routes.js';
import { AdminService } from './admin/admin.service.js';
import { InstanceSettingsStore } from './admin/instance-settings.js';
import { SmtpSettingsStore } from './admin/smtp-settings.js';
import { Mailer } from './mail/mailer.js';
import { settingsRoutes } from './settings/settings.routes.js';
import { SettingsService } from './settings/settings.service.js';

/** Per-user settings, the admin's instance settings and powers, and the mail they enable. */
export function registerInstanceFeatures(deps: {
  db: Db;
  engine: 'pglite' | 'postgres';
  commands: Commands;
  accounts: AccountsService;
  encryptionKey: Buffer;
  config: Pick<Config, 'publicUrl' | 'smtpCaFile'>;
  clock: Clock;
  log: Logger;
}) {
  const { db, commands, accounts, clock, log } = deps;
  const now = () => new Date(clock.now());
  const settings = new SettingsService(db);
  const smtp = new SmtpSettingsStore(db, deps.encryptionKey);
  const instance = new InstanceSettingsStore(db);
  const mailer = new Mailer(smtp, log, {
    instanceName: async () => (await instance.instance()).name,
    caFile: deps.config.smtpCaFile,
  });
  const admin = new AdminService({
    db,
    smtp,
    instance,
    mailer,
    engine: deps.engine,
    publicUrl: deps.config.publicUrl,
    now,
    startedAt: now(),
  });
  accounts.readRegistrationModeWith((tx) => admin.registrationMode(tx));
  accounts.onSignedUp((user) => {
    admin
      .sendWelcome(user)
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'no welcome mail'));
  });
  const routes = {
    ...settingsRoutes({ settings, commands }),
    ...adminRoutes({ admin, commands }),
  } satisfies Partial<RouteHandlers>;
  return { settings, mailer, admin, routes };
}
