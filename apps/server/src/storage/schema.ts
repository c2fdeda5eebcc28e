import type { LinkEmbed } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** Drizzle's view of the tables that migrations/*.sql create. Keep the two in step. */

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/** Full-text search's lexemes (messages.search_vector); never read back, only matched in SQL. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const id = (name: string) => bigint(name, { mode: 'bigint' });
const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** A required reference to a user, removed with the user. */
const userRef = (name: string) =>
  id(name)
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' });

export const users = pgTable(
  'users',
  {
    id: id('id').primaryKey(),
    username: text('username').notNull(),
    /** The protocol's usernameKey of the (ASCII) name: what logins look up and uniqueness holds on. */
    usernameKey: text('username_key')
      .notNull()
      .generatedAlwaysAs(
        sql`translate(username, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`,
      ),
    passwordHash: text('password_hash').notNull(),
    email: text('email'),
    isAdmin: boolean('is_admin').notNull().default(false),
    createdAt: time('created_at').notNull().defaultNow(),
    /** Set by an admin: login refused, sessions closed. */
    disabledAt: time('disabled_at'),
    /** A deleted account: the row stays for its messages, named DELETED_USER_NAME, no email or password. */
    deletedAt: time('deleted_at'),
    /** A new address waiting for its confirmation link. */
    pendingEmail: text('pending_email'),
    /** The avatar shown (images.hash), or none. */
    avatarHash: text('avatar_hash').references((): AnyPgColumn => images.hash),
  },
  (t) => [
    // Unique among accounts not deleted: every deleted account has the same name.
    uniqueIndex('users_username_lower_idx').on(sql`lower(${t.username})`).where(sql`deleted_at is null`),
    uniqueIndex('users_username_key_idx').on(t.usernameKey).where(sql`deleted_at is null`),
    // Prefix search: text_pattern_ops lets `lower(username) LIKE 'ab%'` use the index.
    index('users_username_prefix_idx').using('btree', sql`lower(${t.username}) text_pattern_ops`),
    // A password reset asked for by address finds its accounts without reading them all.
    index('users_email_lower_idx').on(sql`lower(${t.email})`).where(sql`email is not null`),
    // An image is forgotten once nothing shows it: these find who still does.
    index('users_avatar_hash_idx').on(t.avatarHash).where(sql`avatar_hash is not null`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: id('id').primaryKey(),
    userId: userRef('user_id'),
    tokenHash: bytea('token_hash').notNull(),
    createdAt: time('created_at').notNull().defaultNow(),
    expiresAt: time('expires_at').notNull(),
    revokedAt: time('revoked_at'),
    /** As the browser sent it at login (capped), parsed for the sessions list. */
    userAgent: text('user_agent').notNull().default(''),
    /** The client's address at login, through trusted proxies. */
    address: text('address').notNull().default(''),
    lastActiveAt: time('last_active_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sessions_token_hash_idx').on(t.tokenHash), index('sessions_user_idx').on(t.userId)],
);

/** Single-use tokens mailed in links, stored hashed. */
export const accountTokens = pgTable(
  'account_tokens',
  {
    tokenHash: bytea('token_hash').primaryKey(),
    userId: userRef('user_id'),
    purpose: text('purpose', { enum: ['password_reset', 'email_confirm'] }).notNull(),
    /** email_confirm: the address being confirmed. */
    email: text('email'),
    createdAt: time('created_at').notNull().defaultNow(),
    expiresAt: time('expires_at').notNull(),
    usedAt: time('used_at'),
  },
  (t) => [
    index('account_tokens_user_idx').on(t.userId),
    check('account_tokens_purpose_check', sql`${t.purpose} in ('password_reset', 'email_confirm')`),
  ],
);

export const invites = pgTable(
  'invites',
  {
    code: text('code').primaryKey(),
    createdBy: id('created_by').references(() => users.id, { onDelete: 'cascade' }),
    serverId: id('server_id').references((): AnyPgColumn => servers.id, { onDelete: 'cascade' }),
    maxUses: integer('max_uses').notNull().default(1),
    uses: integer('uses').notNull().default(0),
    expiresAt: time('expires_at'),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [
    check('invites_max_uses_check', sql`${t.maxUses} >= 1`),
    check('invites_uses_check', sql`${t.uses} >= 0 and ${t.uses} <= ${t.maxUses}`),
  ],
);

export const inviteUses = pgTable(
  'invite_uses',
  {
    code: text('code')
      .notNull()
      .references(() => invites.code, { onDelete: 'cascade' }),
    userId: userRef('user_id'),
    usedAt: time('used_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.code, t.userId] })],
);

export const servers = pgTable(
  'servers',
  {
    id: id('id').primaryKey(),
    name: text('name').notNull(),
    ownerId: id('owner_id')
      .notNull()
      .references(() => users.id),
    createdAt: time('created_at').notNull().defaultNow(),
    /** The icon shown (images.hash), or none. */
    iconHash: text('icon_hash').references(() => images.hash),
  },
  (t) => [index('servers_icon_hash_idx').on(t.iconHash).where(sql`icon_hash is not null`)],
);

export const serverMembers = pgTable(
  'server_members',
  {
    serverId: id('server_id')
      .notNull()
      .references(() => servers.id, { onDelete: 'cascade' }),
    userId: userRef('user_id'),
    canCreateChannel: boolean('can_create_channel').notNull().default(false),
    canEditChannel: boolean('can_edit_channel').notNull().default(false),
    canDeleteChannel: boolean('can_delete_channel').notNull().default(false),
    joinedAt: time('joined_at').notNull().defaultNow(),
    canMentionEveryone: boolean('can_mention_everyone').notNull().default(false),
    canPinMessages: boolean('can_pin_messages').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.serverId, t.userId] }), index('server_members_user_idx').on(t.userId)],
);

export const channels = pgTable(
  'channels',
  {
    id: id('id').primaryKey(),
    serverId: id('server_id').references(() => servers.id, { onDelete: 'cascade' }),
    type: text('type', { enum: ['text', 'voice', 'dm'] }).notNull(),
    name: text('name').notNull(),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('channels_server_idx').on(t.serverId),
    check('channels_type_check', sql`${t.type} in ('text', 'voice', 'dm')`),
    check('channels_check', sql`(${t.type} = 'dm') = (${t.serverId} is null)`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: id('id').primaryKey(),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    authorId: userRef('author_id'),
    content: text('content').notNull(),
    mentions: bigint('mentions', { mode: 'bigint' }).array().notNull().default(sql`'{}'`),
    nonce: text('nonce'),
    createdAt: time('created_at').notNull().defaultNow(),
    editedAt: time('edited_at'),
    /** Set on a call's record, with its length (0 unless it was answered). */
    callOutcome: text('call_outcome', { enum: ['missed', 'rejected', 'ended'] }),
    callDurationSeconds: integer('call_duration_seconds'),
    mentionEveryone: text('mention_everyone', { enum: ['everyone', 'here'] }),
    /** The message this one answers; kept when that one is deleted (no foreign key: reads say "deleted"). */
    replyToId: id('reply_to_id'),
    /** Whom replying mentioned (the original's author), kept across edits. */
    replyMentionId: id('reply_mention_id').references(() => users.id),
    /** Search (0013_search.sql): computed by the database from the content. */
    searchVector: tsvector('search_vector').generatedAlwaysAs(sql`to_tsvector('simple'::regconfig, content)`),
    /** Link previews (0018_link_previews.sql): what the server found behind the links; null until then. */
    embeds: jsonb('embeds').$type<LinkEmbed[]>(),
    hasLink: boolean('has_link').generatedAlwaysAs(sql`content ~* 'https?://'`),
    hasImage: boolean('has_image').generatedAlwaysAs(
      sql.raw(`content ~* 'https?://[^\\s<>"''\`{}|\\\\^?#]+\\.(jpe?g|png|gif|webp|svg)([?#\\s.,;:!)]|$)'`),
    ),
  },
  (t) => [
    index('messages_search_idx').using('gin', t.searchVector),
    index('messages_has_link_idx').on(t.id).where(sql`${t.hasLink}`),
    index('messages_has_image_idx').on(t.id).where(sql`${t.hasImage}`),
    index('messages_channel_id_idx').on(t.channelId, t.id),
    index('messages_author_idx').on(t.authorId, t.id),
    uniqueIndex('messages_author_nonce_idx').on(t.authorId, t.nonce).where(sql`${t.nonce} is not null`),
    check('messages_call_outcome_check', sql`${t.callOutcome} in ('missed', 'rejected', 'ended')`),
    check('messages_call_duration_seconds_check', sql`${t.callDurationSeconds} >= 0`),
    check('messages_call_check', sql`(${t.callOutcome} is null) = (${t.callDurationSeconds} is null)`),
    index('messages_mention_everyone_idx').on(t.channelId, t.id).where(sql`${t.mentionEveryone} is not null`),
    check('messages_mention_everyone_check', sql`${t.mentionEveryone} in ('everyone', 'here')`),
  ],
);

export const friendRequests = pgTable(
  'friend_requests',
  {
    id: id('id').primaryKey(),
    fromId: userRef('from_id'),
    toId: userRef('to_id'),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('friend_requests_pair_idx').on(t.fromId, t.toId),
    index('friend_requests_to_idx').on(t.toId),
    check('friend_requests_check', sql`${t.fromId} <> ${t.toId}`),
  ],
);

/** One row per pair of friends, the smaller id in `user_low`. */
export const friendships = pgTable(
  'friendships',
  {
    userLow: userRef('user_low'),
    userHigh: userRef('user_high'),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userLow, t.userHigh] }),
    index('friendships_high_idx').on(t.userHigh),
    check('friendships_check', sql`${t.userLow} < ${t.userHigh}`),
  ],
);

export const dmChannels = pgTable(
  'dm_channels',
  {
    channelId: id('channel_id')
      .primaryKey()
      .references(() => channels.id, { onDelete: 'cascade' }),
    userLow: userRef('user_low'),
    userHigh: userRef('user_high'),
  },
  (t) => [
    uniqueIndex('dm_channels_pair_idx').on(t.userLow, t.userHigh),
    index('dm_channels_high_idx').on(t.userHigh),
    check('dm_channels_check', sql`${t.userLow} < ${t.userHigh}`),
  ],
);

export const userSettings = pgTable('user_settings', {
  userId: id('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  settings: jsonb('settings').notNull(),
  updatedAt: time('updated_at').notNull().defaultNow(),
});

export const instanceSettings = pgTable('instance_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: time('updated_at').notNull().defaultNow(),
});

export const readStates = pgTable(
  'read_states',
  {
    userId: userRef('user_id'),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    lastReadId: id('last_read_id').notNull(),
    updatedAt: time('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

export const messageMentions = pgTable(
  'message_mentions',
  {
    userId: userRef('user_id'),
    channelId: id('channel_id').notNull(),
    messageId: id('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.channelId, t.messageId] }),
    index('message_mentions_message_idx').on(t.messageId),
  ],
);

/**
 * The newest message of each channel and its author (no row: no messages), kept by the group
 * commit's statement and by the delete of a channel's newest message.
 */
export const channelHeads = pgTable('channel_heads', {
  channelId: id('channel_id')
    .primaryKey()
    .references(() => channels.id, { onDelete: 'cascade' }),
  lastMessageId: id('last_message_id').notNull(),
  authorId: id('author_id').notNull(),
  /** The newest `@everyone`/`@here` message (forward only; a delete may leave it too new). */
  lastEveryoneId: id('last_everyone_id'),
});

/**
 * The newest message naming each user in each channel (forward only; a delete may leave it too
 * new): unread @name mentions are counted only where it is past the read mark.
 */
export const mentionHeads = pgTable(
  'mention_heads',
  {
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    lastMentionId: id('last_mention_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

export const notificationOverrides = pgTable(
  'notification_overrides',
  {
    userId: userRef('user_id'),
    /** A server, a channel or a DM channel. */
    targetId: id('target_id').notNull(),
    mode: text('mode', { enum: ['all', 'mentions', 'none'] }),
    muted: boolean('muted').notNull().default(false),
    mutedUntil: time('muted_until'),
    updatedAt: time('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.targetId] }),
    check('notification_overrides_mode_check', sql`${t.mode} in ('all', 'mentions', 'none')`),
  ],
);

export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: id('id').primaryKey(),
    userId: userRef('user_id'),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('push_subscriptions_endpoint_idx').on(t.endpoint),
    index('push_subscriptions_user_idx').on(t.userId, t.id),
  ],
);

/** Pinned messages (at most MAX_PINS_PER_CHANNEL per channel), gone with the message or the channel. */
export const messagePins = pgTable(
  'message_pins',
  {
    messageId: id('message_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    pinnedBy: id('pinned_by')
      .notNull()
      .references(() => users.id),
    pinnedAt: time('pinned_at').notNull().defaultNow(),
  },
  (t) => [index('message_pins_channel_idx').on(t.channelId, t.pinnedAt)],
);

/** Reactions: one row per (message, emoji, person); at most 20 different emoji per message. */
export const messageReactions = pgTable(
  'message_reactions',
  {
    messageId: id('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: userRef('user_id'),
    emoji: text('emoji').notNull(),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.emoji, t.userId] })],
);

/** Link previews by URL (0018): the embed found there, or null for nothing to show; fetched again after a day. */
export const linkPreviews = pgTable('link_previews', {
  url: text('url').primaryKey(),
  embed: jsonb('embed').$type<LinkEmbed>(),
  fetchedAt: time('fetched_at').notNull(),
});

/** Avatars and server icons by the sha256 (hex) of their bytes: 256×256 webp (migration 0017). */
export const images = pgTable('images', {
  hash: text('hash').primaryKey(),
  data: bytea('data').notNull(),
  createdAt: time('created_at').notNull().defaultNow(),
});
/** File contents by the SHA-256 of their bytes (0016_attachments.sql). */
export const blobs = pgTable('blobs', {
  sha256: text('sha256').primaryKey(),
  size: bigint('size', { mode: 'number' }).notNull(),
  createdAt: time('created_at').notNull().defaultNow(),
});

/** Uploads; `messageId` null until sent (no foreign key: claimed just before the message is written). */
export const attachments = pgTable(
  'attachments',
  {
    id: id('id').primaryKey(),
    uploaderId: userRef('uploader_id'),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    blobSha256: text('blob_sha256')
      .notNull()
      .references(() => blobs.sha256),
    filename: text('filename').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    contentType: text('content_type').notNull(),
    kind: text('kind', { enum: ['image', 'video', 'audio', 'file'] }).notNull(),
    width: integer('width'),
    height: integer('height'),
    animated: boolean('animated').notNull().default(false),
    previewSha256: text('preview_sha256').references(() => blobs.sha256),
    messageId: id('message_id'),
    position: integer('position'),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('attachments_message_idx').on(t.messageId, t.position),
    index('attachments_unsent_idx').on(t.createdAt).where(sql`${t.messageId} IS NULL`),
    index('attachments_blob_idx').on(t.blobSha256),
    index('attachments_preview_idx').on(t.previewSha256),
  ],
);

/** What each user stores and has reserved for uploads in flight (kept by triggers, 0016). */
export const uploadQuotas = pgTable('upload_quotas', {
  userId: id('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  usedBytes: bigint('used_bytes', { mode: 'number' }).notNull().default(0),
  reservedBytes: bigint('reserved_bytes', { mode: 'number' }).notNull().default(0),
});
