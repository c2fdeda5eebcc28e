import { DEFAULT_USER_SETTINGS, type UserSettings, UserSettingsSchema } from '@decentra/protocol';
import { eq } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import { userSettings } from '../../storage/schema.js';

/** Each user's own preferences (notifications); defaults until they save some. */
export class SettingsService {
  constructor(private readonly db: Db) {}

  async get(userId: bigint): Promise<UserSettings> {
    const [row] = await this.db.select().from(userSettings).where(eq(userSettings.userId, userId));
    // Stored JSON is re-validated: a row from an older version falls back to the defaults.
    const parsed = UserSettingsSchema.safeParse(row?.settings);
    return parsed.success ? parsed.data : DEFAULT_USER_SETTINGS;
  }

  async put(userId: bigint, settings: UserSettings): Promise<UserSettings> {
    await this.db
      .insert(userSettings)
      .values({ userId, settings, updatedAt: new Date() })
      .onConflictDoUpdate({ target: userSettings.userId, set: { settings, updatedAt: new Date() } });
    return settings;
  }
}
