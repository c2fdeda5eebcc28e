CREATE TABLE servers (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  owner_id bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE server_members (
  server_id bigint NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  can_create_channel boolean NOT NULL DEFAULT false,
  can_edit_channel boolean NOT NULL DEFAULT false,
  can_delete_channel boolean NOT NULL DEFAULT false,
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (server_id, user_id)
);
--> statement-breakpoint
CREATE INDEX server_members_user_idx ON server_members (user_id);
--> statement-breakpoint
CREATE TABLE channels (
  id bigint PRIMARY KEY,
  server_id bigint REFERENCES servers(id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('text', 'voice', 'dm')),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((type = 'dm') = (server_id IS NULL))
);
--> statement-breakpoint
CREATE INDEX channels_server_idx ON channels (server_id);
--> statement-breakpoint
CREATE TABLE messages (
  id bigint PRIMARY KEY,
  channel_id bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  author_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  content text NOT NULL,
  mentions bigint[] NOT NULL DEFAULT '{}',
  nonce text,
  created_at timestamptz NOT NULL DEFAULT now(),
  edited_at timestamptz
);
--> statement-breakpoint
CREATE INDEX messages_channel_id_idx ON messages (channel_id, id);
--> statement-breakpoint
CREATE UNIQUE INDEX messages_author_nonce_idx ON messages (author_id, nonce) WHERE nonce IS NOT NULL;
--> statement-breakpoint
ALTER TABLE invites ADD CONSTRAINT invites_server_fk FOREIGN KEY (server_id) REFERENCES servers(id) ON DELETE CASCADE;
