import type { LinkEmbed } from '@decentra/protocol';
import { eq } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import { linkPreviews } from '../../storage/schema.js';

export interface CachedPreview {
  /** null: the URL was fetched and had nothing to show. */
  embed: LinkEmbed | null;
  fetchedAt: Date;
}

export async function cachedPreview(db: Db, url: string): Promise<CachedPreview | undefined> {
  const [row] = await db
    .select({ embed: linkPreviews.embed, fetchedAt: linkPreviews.fetchedAt })
    .from(linkPreviews)
    .where(eq(linkPreviews.url, url));
  return row;
}

export async function storePreview(
  db: Db,
  url: string,
  embed: LinkEmbed | null,
  fetchedAt: Date,
): Promise<void> {
  await db
    .insert(linkPreviews)
    .values({ url, embed, fetchedAt })
    .onConflictDoUpdate({ target: linkPreviews.url, set: { embed, fetchedAt } });
}
