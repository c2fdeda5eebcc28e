-- Read state: the last message each user read in each channel (server text channel or DM).
CREATE TABLE read_states (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  channel_id bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  last_read_id bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, channel_id)
);
--> statement-breakpoint
-- One row per (mentioned user, message), written with the message: a user's unread mentions in a
-- channel are a range of this key, so counting them never reads the channel's other messages.
CREATE TABLE message_mentions (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  channel_id bigint NOT NULL,
  message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, channel_id, message_id)
);
--> statement-breakpoint
CREATE INDEX message_mentions_message_idx ON message_mentions (message_id);
--> statement-breakpoint
ALTER TABLE messages ADD COLUMN mention_everyone text CHECK (mention_everyone IN ('everyone', 'here'));
--> statement-breakpoint
-- @everyone/@here messages of a channel, for unread mention counts.
CREATE INDEX messages_mention_everyone_idx ON messages (channel_id, id) WHERE mention_everyone IS NOT NULL;
--> statement-breakpoint
ALTER TABLE server_members ADD COLUMN can_mention_everyone boolean NOT NULL DEFAULT false;
--> statement-breakpoint
-- A user's own notification rule for a server, a channel or a DM (target_id is any of them).
CREATE TABLE notification_overrides (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  target_id bigint NOT NULL,
  mode text CHECK (mode IN ('all', 'mentions', 'none')),
  muted boolean NOT NULL DEFAULT false,
  muted_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, target_id)
);
--> statement-breakpoint
-- One Web Push subscription per browser; the endpoint is the browser's own URL at its push service.
CREATE TABLE push_subscriptions (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  endpoint text NOT NULL,
  p256dh text NOT NULL,
  auth text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE UNIQUE INDEX push_subscriptions_endpoint_idx ON push_subscriptions (endpoint);
--> statement-breakpoint
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id, id);
--> statement-breakpoint
-- The newest message of each channel and its author, kept by the send path's statement (forward
-- only) and by a delete of the newest: read states read it instead of a probe per channel.
CREATE TABLE channel_heads (
  channel_id bigint PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
  last_message_id bigint NOT NULL,
  author_id bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO channel_heads (channel_id, last_message_id, author_id)
  SELECT DISTINCT ON (channel_id) channel_id, id, author_id FROM messages ORDER BY channel_id, id DESC;
