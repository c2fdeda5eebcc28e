import { type AdminSettings, DEFAULT_SMTP, type SmtpSettingsInput } from '@decentra/protocol';
import * as z from 'zod';
import { seal, unseal } from '../../infra/crypto.js';
import type { Db } from '../../storage/db.js';
import { readInstanceSetting, writeInstanceSetting } from './admin.repo.js';

const KEY = 'smtp';

/** The stored shape: the password sealed with AES-256-GCM, never in the clear. */
const StoredSmtpSchema = z.object({
  enabled: z.boolean(),
  host: z.string(),
  port: z.number(),
  security: z.enum(['starttls', 'tls', 'none']),
  username: z.string(),
  passwordSealed: z.string().nullable(),
  fromAddress: z.string(),
  fromName: z.string(),
});
type StoredSmtp = z.infer<typeof StoredSmtpSchema>;

export interface SmtpConfig extends Omit<StoredSmtp, 'passwordSealed'> {
  password: string | undefined;
}

/** The SMTP settings as stored: sealed on save, unsealed only for the mailer. */
export class SmtpSettingsStore {
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
  ) {}

  /** For admins: everything but the password. */
  async view(db: Db = this.db): Promise<AdminSettings['smtp']> {
    const stored = await this.read(db);
    if (!stored) return DEFAULT_SMTP;
    const { passwordSealed, ...rest } = stored;
    return { ...rest, passwordSet: passwordSealed !== null };
  }

  /** For the mailer: the password unsealed. */
  async config(): Promise<SmtpConfig | undefined> {
    const stored = await this.read(this.db);
    if (!stored) return undefined;
    const { passwordSealed, ...rest } = stored;
    return { ...rest, password: passwordSealed === null ? undefined : unseal(passwordSealed, this.key) };
  }

  /**
   * For a test of settings not saved yet: the password as given, or (omitted) the stored one;
   * null or empty means none. Enabled, since testing is what was asked.
   */
  async configFrom(input: SmtpSettingsInput): Promise<SmtpConfig> {
    const { password, ...rest } = input;
    let resolved: string | undefined;
    if (password === undefined) resolved = (await this.config())?.password;
    else if (password !== null && password !== '') resolved = password;
    return { ...rest, enabled: true, password: resolved };
  }

  /** Saves inside the caller's transaction (the previous password is read there too). */
  async save(tx: Db, input: SmtpSettingsInput, now: Date): Promise<AdminSettings['smtp']> {
    const previous = await this.read(tx);
    const { password, ...rest } = input;
    let passwordSealed: string | null = previous?.passwordSealed ?? null;
    if (password === null || password === '') passwordSealed = null;
    else if (password !== undefined) passwordSealed = seal(password, this.key);
    const value: StoredSmtp = { ...rest, passwordSealed };
    await writeInstanceSetting(tx, KEY, value, now);
    return this.view(tx);
  }

  private async read(db: Db): Promise<StoredSmtp | undefined> {
    const parsed = StoredSmtpSchema.safeParse(await readInstanceSetting(db, KEY));
    return parsed.success ? parsed.data : undefined;
  }
}
