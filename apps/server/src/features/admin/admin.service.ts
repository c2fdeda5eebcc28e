import {
  type AdminSettings,
  type AdminSettingsInput,
  DEFAULT_INSTANCE_SETTINGS,
  DEFAULT_WELCOME_MAIL,
} from '@decentra/protocol';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { UserRow } from '../../storage/rows.js';
import type { Mailer } from '../mail/mailer.js';
import type { SmtpSettingsStore } from './smtp-settings.js';

/** The admin's instance settings (SMTP) and the test mail. Routes check the caller is an admin. */
export class AdminService {
  constructor(
    private readonly smtp: SmtpSettingsStore,
    private readonly mailer: Mailer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async settings(): Promise<AdminSettings> {
    return {
      smtp: await this.smtp.view(),
      instance: DEFAULT_INSTANCE_SETTINGS,
      welcome: DEFAULT_WELCOME_MAIL,
    };
  }

  async saveSettings(tx: Db, input: AdminSettingsInput): Promise<Outcome<AdminSettings>> {
    const smtp = input.smtp ? await this.smtp.save(tx, input.smtp, this.now()) : await this.smtp.view(tx);
    return outcome({ smtp, instance: DEFAULT_INSTANCE_SETTINGS, welcome: DEFAULT_WELCOME_MAIL });
  }

  /** Sends a test mail with the saved settings; the SMTP server's own words on failure. */
  async testMail(admin: UserRow, to: string | undefined): Promise<{ ok: boolean; error?: string }> {
    const address = to ?? admin.email ?? undefined;
    if (!address)
      return { ok: false, error: 'No address to send to: give "to", or add an email to your account.' };
    try {
      await this.mailer.send({
        to: address,
        subject: 'Decentra test email',
        text: 'This is a test email from your Decentra server. If you can read it, email works.',
      });
      return { ok: true };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
