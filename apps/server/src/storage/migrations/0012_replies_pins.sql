-- Replies: the message a reply answers. No foreign key: when the original is deleted the reply
-- keeps its id and reads resolve it to "deleted" (a reference that finds no row), which SET NULL
-- would have made indistinguishable from "not a reply".
ALTER TABLE messages ADD COLUMN reply_to_id bigint;
--> statement-breakpoint
-- The user a reply mentioned by replying (the original's author, unless the sender turned it off),
-- so an edit, which resolves the mentions of the new text, keeps this one.
ALTER TABLE messages ADD COLUMN reply_mention_id bigint REFERENCES users(id);
--> statement-breakpoint
ALTER TABLE server_members ADD COLUMN can_pin_messages boolean NOT NULL DEFAULT false;
--> statement-breakpoint
-- Pinned messages: one row per pinned message, gone with the message or the channel.
CREATE TABLE message_pins (
  message_id bigint PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  channel_id bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  pinned_by bigint NOT NULL REFERENCES users(id),
  pinned_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX message_pins_channel_idx ON message_pins (channel_id, pinned_at);
