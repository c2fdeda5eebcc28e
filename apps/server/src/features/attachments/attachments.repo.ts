import { and, asc, eq, isNull, lt, notExists, or, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import { preparedPerDb } from '../../storage/prepared.js';
import { attachments, blobs, messages, uploadQuotas } from '../../storage/schema.js';

export type AttachmentRow = typeof attachments.$inferSelect;
export type NewAttachmentRow = typeof attachments.$inferInsert;

/**
 * Reserves `bytes` of the user's quota for an upload in flight, if what they store plus what is
 * reserved stays within `quota`. One statement on the user's row: parallel reservations queue on
 * its lock and each sees the others' (no two can pass the quota together).
 */
export async function reserveQuota(db: Db, userId: bigint, bytes: number, quota: number): Promise<boolean> {
  const rows = await db
    .insert(uploadQuotas)
    .select(
      db
        .select({
          userId: sql<bigint>`${userId}::bigint`.as('user_id'),
          usedBytes: sql<number>`0`.as('used_bytes'),
          reservedBytes: sql<number>`${bytes}::bigint`.as('reserved_bytes'),
        })
        .from(sql`(select 1) as one`)
        .where(sql`${bytes}::bigint <= ${quota}::bigint`),
    )
    .onConflictDoUpdate({
      target: uploadQuotas.userId,
      set: { reservedBytes: sql`${uploadQuotas.reservedBytes} + ${bytes}::bigint` },
      setWhere: sql`${uploadQuotas.usedBytes} + ${uploadQuotas.reservedBytes} + ${bytes}::bigint <= ${quota}::bigint`,
    })
    .returning({ userId: uploadQuotas.userId });
  return rows.length > 0;
}

export async function releaseQuota(db: Db, userId: bigint, bytes: number): Promise<void> {
  await db
    .update(uploadQuotas)
    .set({ reservedBytes: sql`greatest(0, ${uploadQuotas.reservedBytes} - ${bytes}::bigint)` })
    .where(eq(uploadQuotas.userId, userId));
}

export async function usedBytes(db: Db, userId: bigint): Promise<number> {
  const [row] = await db
    .select({ used: uploadQuotas.usedBytes })
    .from(uploadQuotas)
    .where(eq(uploadQuotas.userId, userId));
  return Number(row?.used ?? 0);
}

/**
 * Records a blob as stored, holding its row's lock to the end of the transaction: the sweep takes
 * the same lock before it deletes an unreferenced blob, so the two never cross.
 */
export async function lockBlob(db: Db, sha256: string, size: number): Promise<void> {
  await db.insert(blobs).values({ sha256, size }).onConflictDoUpdate({ target: blobs.sha256, set: { size } });
}

export async function insertAttachment(db: Db, row: NewAttachmentRow): Promise<AttachmentRow> {
  const [stored] = await db.insert(attachments).values(row).returning();
  if (!stored) throw new Error('attachment not stored');
  return stored;
}

export async function findAttachment(db: Db, id: bigint): Promise<AttachmentRow | undefined> {
  const [row] = await db.select().from(attachments).where(eq(attachments.id, id));
  return row;
}

/**
 * Marks the sender's unsent uploads of this channel as the message's, in the order given. One
 * statement: a file another send claimed first (or that is not the sender's, or of another
 * channel) is left out of the answer, and the caller refuses the send.
 */
export async function claimAttachments(
  db: Db,
  senderId: bigint,
  channelId: bigint,
  messageId: bigint,
  ids: readonly bigint[],
): Promise<AttachmentRow[]> {
  const order = sql.join(
    ids.map((id, i) => sql`(${id}::bigint, ${i}::integer)`),
    sql`, `,
  );
  return db
    .update(attachments)
    .set({ messageId, position: sql`o.position` })
    .from(sql`(values ${order}) as o(id, position)`)
    .where(
      and(
        sql`${attachments.id} = o.id`,
        eq(attachments.uploaderId, senderId),
        eq(attachments.channelId, channelId),
        isNull(attachments.messageId),
      ),
    )
    .returning();
}

/** Undoes a claim whose message was not written (its channel went, or its nonce was used). */
export async function unclaim(db: Db, messageId: bigint): Promise<void> {
  await db
    .update(attachments)
    .set({ messageId: null, position: null })
    .where(eq(attachments.messageId, messageId));
}

/** Every history page asks for its files: prepared (see `preparedPerDb`), one text for any count. */
const attachmentsOfStatement = preparedPerDb((db) =>
  db
    .select()
    .from(attachments)
    .where(sql`${attachments.messageId} = any(${sql.placeholder('ids')}::bigint[])`)
    .orderBy(asc(attachments.messageId), asc(attachments.position))
    .prepare('attachments_of'),
);

export async function attachmentsOf(db: Db, messageIds: readonly bigint[]): Promise<AttachmentRow[]> {
  if (messageIds.length === 0) return [];
  return attachmentsOfStatement(db).execute({ ids: messageIds.map(String) });
}

/**
 * Removes uploads never sent, and claims whose message was never written (the process stopped
 * between the two), made before `cutoff`. Their usage goes with them (trigger).
 */
export async function deleteStale(db: Db, cutoff: Date): Promise<number> {
  const gone = await db
    .delete(attachments)
    .where(
      and(
        lt(attachments.createdAt, cutoff),
        or(
          isNull(attachments.messageId),
          notExists(db.select({ one: sql`1` }).from(messages).where(eq(messages.id, attachments.messageId))),
        ),
      ),
    )
    .returning({ id: attachments.id });
  return gone.length;
}

const referenced = (db: Db, sha256: ReturnType<typeof sql>) =>
  db
    .select({ one: sql`1` })
    .from(attachments)
    .where(or(sql`${attachments.blobSha256} = ${sha256}`, sql`${attachments.previewSha256} = ${sha256}`));

/** Blobs no attachment refers to (a batch of them). */
export async function unreferencedBlobs(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .select({ sha256: blobs.sha256 })
    .from(blobs)
    .where(notExists(referenced(db, sql`${blobs.sha256}`)))
    .limit(limit);
  return rows.map((r) => r.sha256);
}

/** Deletes the blob's row if still nothing refers to it, holding its lock (see lockBlob). */
export async function deleteBlobIfUnreferenced(db: Db, sha256: string): Promise<boolean> {
  await db.select({ sha256: blobs.sha256 }).from(blobs).where(eq(blobs.sha256, sha256)).for('update');
  const gone = await db
    .delete(blobs)
    .where(and(eq(blobs.sha256, sha256), notExists(referenced(db, sql`${sha256}`))))
    .returning({ sha256: blobs.sha256 });
  return gone.length > 0;
}

export async function blobSize(db: Db, sha256: string): Promise<number | undefined> {
  const [row] = await db.select({ size: blobs.size }).from(blobs).where(eq(blobs.sha256, sha256));
  return row?.size;
}
