-- Avatars and server icons, content-addressed: the sha256 (hex) of the 256×256 webp names its
-- bytes. Kept in the database (a few KB each) so that every instance and every backup has them.
CREATE TABLE images (
  hash text PRIMARY KEY,
  data bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
ALTER TABLE users ADD COLUMN avatar_hash text REFERENCES images(hash);
--> statement-breakpoint
ALTER TABLE servers ADD COLUMN icon_hash text REFERENCES images(hash);
--> statement-breakpoint
-- An image is forgotten once nothing shows it: these find who still does.
CREATE INDEX users_avatar_hash_idx ON users (avatar_hash) WHERE avatar_hash IS NOT NULL;
--> statement-breakpoint
CREATE INDEX servers_icon_hash_idx ON servers (icon_hash) WHERE icon_hash IS NOT NULL;
