import { and, desc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../storage/db.js';
import {
  channels,
  instanceSettings,
  pushSubscriptions,
  serverMembers,
  servers,
} from '../../storage/schema.js';

export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;

/** The instance setting's stored JSON, or undefined when there is none. */
export async function readSetting(db: Db, key: string): Promise<unknown> {
  const [row] = await db
    .select({ value: instanceSettings.value })
    .from(instanceSettings)
    .where(eq(instanceSettings.key, key));
  return row?.value;
}

/** Writes the setting unless one is there already (another instance may have made it first). */
export async function insertSettingIfAbsent(db: Db, key: string, value: unknown, now: Date): Promise<void> {
  await db.insert(instanceSettings).values({ key, value, updatedAt: now }).onConflictDoNothing();
}

/**
 * Registers a browser's subscription for `userId`: the same endpoint again (whoever had it) is
 * this one now, with the new keys, a new id and time (ids order a user's subscriptions by when
 * they were registered, so the cap keeps the newest).
 */
export async function upsertSubscription(
  tx: Db,
  row: { id: bigint; userId: bigint; endpoint: string; p256dh: string; auth: string; createdAt: Date },
): Promise<PushSubscriptionRow> {
  const [stored] = await tx
    .insert(pushSubscriptions)
    .values(row)
    .onConflictDoUpdate({
      target: pushSubscriptions.endpoint,
      set: {
        id: row.id,
        userId: row.userId,
        p256dh: row.p256dh,
        auth: row.auth,
        createdAt: row.createdAt,
      },
    })
    .returning();
  if (!stored) throw new Error('push subscription upsert returned no row');
  return stored;
}

/**
 * Serialises the subscription changes of one user (so the cap holds under concurrent registrations):
 * the user's row, locked the way other per-user counts lock it.
 */
export async function lockUser(tx: Db, userId: bigint): Promise<void> {
  await tx.execute(sql`select id from users where id = ${userId} for no key update`);
}

/** Removes the user's subscriptions past the newest `keep`; returns how many went. */
export async function pruneSubscriptions(tx: Db, userId: bigint, keep: number): Promise<number> {
  const newest = tx
    .select({ id: pushSubscriptions.id })
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.userId, userId))
    .orderBy(desc(pushSubscriptions.id))
    .limit(keep);
  const removed = await tx
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.userId, userId), notInArray(pushSubscriptions.id, newest)))
    .returning({ id: pushSubscriptions.id });
  return removed.length;
}

/** Removes the user's own subscription with this endpoint (another user's is left alone). */
export async function deleteOwnSubscription(db: Db, userId: bigint, endpoint: string): Promise<void> {
  await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint)));
}

/** A subscription the push service said is gone (404/410). */
export async function deleteSubscription(db: Db, id: bigint): Promise<void> {
  await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, id));
}

export async function deleteSubscriptionsOf(db: Db, userId: bigint): Promise<void> {
  await db.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
}

export async function subscriptionsOfUser(db: Db, userId: bigint): Promise<PushSubscriptionRow[]> {
  return db
    .select()
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.userId, userId))
    .orderBy(pushSubscriptions.id);
}

/** The subscriptions of these users, in one query. */
export async function subscriptionsOfUsers(
  db: Db,
  userIds: readonly bigint[],
): Promise<PushSubscriptionRow[]> {
  if (userIds.length === 0) return [];
  return db
    .select()
    .from(pushSubscriptions)
    .where(inArray(pushSubscriptions.userId, [...userIds]))
    .orderBy(pushSubscriptions.id);
}

/** The subscriptions of every member of the server, in one query (`@everyone`). */
export async function subscriptionsOfMembers(db: Db, serverId: bigint): Promise<PushSubscriptionRow[]> {
  const rows = await db
    .select({ subscription: pushSubscriptions })
    .from(pushSubscriptions)
    .innerJoin(
      serverMembers,
      and(eq(serverMembers.userId, pushSubscriptions.userId), eq(serverMembers.serverId, serverId)),
    )
    .orderBy(pushSubscriptions.id);
  return rows.map((r) => r.subscription);
}

/** A server channel's name and its server's, for a notification's title. */
export async function channelPlace(
  db: Db,
  channelId: bigint,
): Promise<{ channel: string; server: string } | undefined> {
  const [row] = await db
    .select({ channel: channels.name, server: servers.name })
    .from(channels)
    .innerJoin(servers, eq(servers.id, channels.serverId))
    .where(eq(channels.id, channelId));
  return row;
}
