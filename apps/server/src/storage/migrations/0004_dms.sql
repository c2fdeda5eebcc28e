-- A DM is a channel of type 'dm' plus its two ends, the smaller id first, so a pair has one DM.
CREATE TABLE dm_channels (
  channel_id bigint PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
  user_low bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_high bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  CHECK (user_low < user_high)
);
--> statement-breakpoint
CREATE UNIQUE INDEX dm_channels_pair_idx ON dm_channels (user_low, user_high);
--> statement-breakpoint
CREATE INDEX dm_channels_high_idx ON dm_channels (user_high);
