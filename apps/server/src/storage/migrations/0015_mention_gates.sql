-- The newest message naming each user in each channel, kept by the send path (forward only) and by
-- edits: `ready` counts a user's unread @name mentions of a channel only when this is past their read
-- mark, instead of probing message_mentions for every unread channel. A delete may leave it stale
-- (too new), which costs a probe that finds the true count, never a wrong count.
CREATE TABLE mention_heads (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  channel_id bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  last_mention_id bigint NOT NULL,
  PRIMARY KEY (user_id, channel_id)
);
--> statement-breakpoint
INSERT INTO mention_heads (user_id, channel_id, last_mention_id)
SELECT mm.user_id, mm.channel_id, max(mm.message_id) FROM message_mentions mm
JOIN channels c ON c.id = mm.channel_id
GROUP BY mm.user_id, mm.channel_id;
--> statement-breakpoint
-- The newest @everyone/@here message of the channel, the same way: the @everyone count is probed
-- only when it is past the reader's mark.
ALTER TABLE channel_heads ADD COLUMN last_everyone_id bigint;
--> statement-breakpoint
UPDATE channel_heads h SET last_everyone_id = e.id
FROM (SELECT channel_id, max(id) AS id FROM messages WHERE mention_everyone IS NOT NULL GROUP BY channel_id) e
WHERE e.channel_id = h.channel_id;
