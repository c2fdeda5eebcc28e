import { type AdminSettings, type AdminSettingsInput, DEFAULT_SMTP } from '@decentra/protocol';
import { eq } from 'drizzle-orm';
import * as z from 'zod';
import { seal, unseal } from '../../infra/crypto.js';
import type { Db } from '../../storage/db.js';
import { instanceSettings } from '../../storage/schema.js';

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

export class SmtpSettingsStore {
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
  ) {}

  /** For admins: everything but the password. */
  async view(): Promise<AdminSettings['smtp']> {
    const stored = await this.read();
    if (!stored) return DEFAULT_SMTP;
    const { passwordSealed, ...rest } = stored;
    return { ...rest, passwordSet: passwordSealed !== null };
  }

  /** For the mailer: the password unsealed. */
  async config(): Promise<SmtpConfig | undefined> {
    const stored = await this.read();
    if (!stored) return undefined;
    const { passwordSealed, ...rest } = stored;
    return { ...rest, password: passwordSealed === null ? undefined : unseal(passwordSealed, this.key) };
  }

  async save(input: AdminSettingsInput['smtp']): Promise<AdminSettings['smtp']> {
    const previous = await this.read();
    const { password, ...rest } = input;
    let passwordSealed: string | null = previous?.passwordSealed ?? null;
    if (password === null || password === '') passwordSealed = null;
    else if (password !== undefined) passwordSealed = seal(password, this.key);
    const value: StoredSmtp = { ...rest, passwordSealed };
    await this.db
      .insert(instanceSettings)
      .values({ key: KEY, value, updatedAt: new Date() })
      .onConflictDoUpdate({ target: instanceSettings.key, set: { value, updatedAt: new Date() } });
    return this.view();
  }

  private async read(): Promise<StoredSmtp | undefined> {
    const [row] = await this.db.select().from(instanceSettings).where(eq(instanceSettings.key, KEY));
    const parsed = StoredSmtpSchema.safeParse(row?.value);
    return parsed.success ? parsed.data : undefined;
  }
}
