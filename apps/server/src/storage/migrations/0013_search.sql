-- Full-text search. The 'simple' configuration lowercases and splits words without stemming or
-- stop words: language-neutral (names, code, any language) and built into every PostgreSQL and
-- PGlite, where unaccent is an extension the embedded engine would have to load. The two flags
-- are what has:link and has:image ask; has_image follows the web app's image embeds (an http(s)
-- link whose path ends in an image extension). All three are computed by the database on insert
-- and edit, so no writer can forget them.
ALTER TABLE messages
  ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED,
  ADD COLUMN has_link boolean GENERATED ALWAYS AS (content ~* 'https?://') STORED,
  ADD COLUMN has_image boolean GENERATED ALWAYS AS (
    content ~* 'https?://[^\s<>"''`{}|\\^?#]+\.(jpe?g|png|gif|webp|svg)([?#\s.,;:!)]|$)'
  ) STORED;
--> statement-breakpoint
CREATE INDEX messages_search_idx ON messages USING gin (search_vector);
--> statement-breakpoint
-- has:link and has:image, alone or with a common word: the newest flagged messages in id order,
-- without reading the unflagged ones.
CREATE INDEX messages_has_link_idx ON messages (id) WHERE has_link;
--> statement-breakpoint
CREATE INDEX messages_has_image_idx ON messages (id) WHERE has_image;
