-- Accounts an admin disabled (login refused, sessions closed) and accounts deleted (the row stays so
-- that their messages keep an author, shown as "Deleted user"; name, email and password are gone).
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
--> statement-breakpoint
ALTER TABLE users ADD COLUMN deleted_at timestamptz;
--> statement-breakpoint
-- A new address waiting for its confirmation link (users.email changes only when it is opened).
ALTER TABLE users ADD COLUMN pending_email text;
--> statement-breakpoint
-- Every deleted account is named "Deleted user", so names are unique among the living only.
DROP INDEX users_username_key_idx;
--> statement-breakpoint
CREATE UNIQUE INDEX users_username_key_idx ON users (username_key) WHERE deleted_at IS NULL;
--> statement-breakpoint
DROP INDEX users_username_lower_idx;
--> statement-breakpoint
CREATE UNIQUE INDEX users_username_lower_idx ON users (lower(username)) WHERE deleted_at IS NULL;
--> statement-breakpoint
-- What the account settings show of each login: browser and system (parsed from the user agent),
-- the address, and when it was last used.
ALTER TABLE sessions ADD COLUMN user_agent text NOT NULL DEFAULT '';
--> statement-breakpoint
ALTER TABLE sessions ADD COLUMN address text NOT NULL DEFAULT '';
--> statement-breakpoint
ALTER TABLE sessions ADD COLUMN last_active_at timestamptz;
--> statement-breakpoint
UPDATE sessions SET last_active_at = created_at;
--> statement-breakpoint
ALTER TABLE sessions ALTER COLUMN last_active_at SET NOT NULL;
--> statement-breakpoint
ALTER TABLE sessions ALTER COLUMN last_active_at SET DEFAULT now();
--> statement-breakpoint
-- Single-use tokens mailed in links (password reset, email confirmation), stored hashed.
CREATE TABLE account_tokens (
  token_hash bytea PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('password_reset', 'email_confirm')),
  -- email_confirm: the address being confirmed.
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
--> statement-breakpoint
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id);
