import { eq } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import { userSettings } from '../../storage/schema.js';

export async function readUserSettings(db: Db, userId: bigint): Promise<unknown> {
  const [row] = await db.select().from(userSettings).where(eq(userSettings.userId, userId));
  return row?.settings;
}

export async function writeUserSettings(db: Db, userId: bigint, settings: unknown, now: Date): Promise<void> {
  await db
    .insert(userSettings)
    .values({ userId, settings, updatedAt: now })
    .onConflictDoUpdate({ target: userSettings.userId, set: { settings, updatedAt: now } });
}

export async function deleteUserSettings(db: Db, userId: bigint): Promise<void> {
  await db.delete(userSettings).where(eq(userSettings.userId, userId));
}
