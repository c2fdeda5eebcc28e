import { eq } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import { instanceSettings } from '../../storage/schema.js';

/** One instance setting's stored JSON, or undefined when it was never saved. */
export async function readInstanceSetting(db: Db, key: string): Promise<unknown> {
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.key, key));
  return row?.value;
}

export async function writeInstanceSetting(db: Db, key: string, value: unknown, now: Date): Promise<void> {
  await db
    .insert(instanceSettings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: instanceSettings.key, set: { value, updatedAt: now } });
}
