-- Prefix search on names: text_pattern_ops lets `lower(username) LIKE 'ab%'` use the index
-- whatever the database's collation, and gives byte order for ORDER BY ... USING ~<~.
CREATE INDEX users_username_prefix_idx ON users (lower(username) text_pattern_ops);
--> statement-breakpoint
CREATE TABLE friend_requests (
  id bigint PRIMARY KEY,
  from_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  to_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (from_id <> to_id)
);
--> statement-breakpoint
CREATE UNIQUE INDEX friend_requests_pair_idx ON friend_requests (from_id, to_id);
--> statement-breakpoint
CREATE INDEX friend_requests_to_idx ON friend_requests (to_id);
--> statement-breakpoint
-- One row per friendship, the smaller id first, so a pair can exist only once.
CREATE TABLE friendships (
  user_low bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_high bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_low, user_high),
  CHECK (user_low < user_high)
);
--> statement-breakpoint
CREATE INDEX friendships_high_idx ON friendships (user_high);
