-- One row per (message, emoji, person). The key orders a message's reactions by emoji and then by
-- person, so a message's summary and one emoji's reactors (paged by user id) are ranges of it.
-- Gone with the message; gone with the user (accounts are scrubbed, not deleted, so in practice
-- only a test's cleanup or an admin's hard delete would take them).
CREATE TABLE message_reactions (
  message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  emoji text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, emoji, user_id)
);
