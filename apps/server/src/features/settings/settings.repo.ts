import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import { preparedPerDb } from '../../storage/prepared.js';
import { userSettings } from '../../storage/schema.js';

/** The stored settings of each of these users who saved some (several at once: the `ready`s of one turn). */
const readUserSettingsStatement = preparedPerDb((db) =>
  db
    .select()
    .from(userSettings)
    .where(sql`${userSettings.userId} = any(${sql.placeholder('ids')}::bigint[])`)
    .prepare('user_settings_of'),
);

export async function readUserSettings(db: Db, userIds: bigint[]): Promise<Map<bigint, unknown>> {
  const rows = await readUserSettingsStatement(db).execute({ ids: userIds.map(String) });
  return new Map(rows.map((r) => [r.userId, r.settings]));
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
