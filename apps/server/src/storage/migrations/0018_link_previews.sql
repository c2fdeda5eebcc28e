-- Link previews: what the server found behind a message's links (OpenGraph cards, pictures,
-- videos, YouTube), stored on the message so that history carries it, and a cache by URL (an embed,
-- or null when there was nothing to show) so a link posted again is not fetched again within a day.
ALTER TABLE messages ADD COLUMN embeds jsonb;
--> statement-breakpoint
CREATE TABLE link_previews (
  url text PRIMARY KEY,
  embed jsonb,
  fetched_at timestamptz NOT NULL
);
