import { eq } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import type { ChannelRow } from '../../storage/rows.js';
import { channels } from '../../storage/schema.js';

export async function insertChannel(db: Db, row: typeof channels.$inferInsert): Promise<ChannelRow> {
  const [channel] = await db.insert(channels).values(row).returning();
  if (!channel) throw new Error('insert returned no channel');
  return channel;
}

export async function renameChannel(
  db: Db,
  channelId: bigint,
  name: string,
): Promise<ChannelRow | undefined> {
  const [channel] = await db.update(channels).set({ name }).where(eq(channels.id, channelId)).returning();
  return channel;
}

export async function deleteChannel(db: Db, channelId: bigint): Promise<boolean> {
  return (
    (await db.delete(channels).where(eq(channels.id, channelId)).returning({ id: channels.id })).length > 0
  );
}
