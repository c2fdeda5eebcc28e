-- The form a username is compared in (the protocol's usernameKey): logins look accounts up by it
-- and uniqueness holds on it. Signup names are ASCII, for which that key is the ASCII lower case,
-- spelled out here with translate() so that no database locale takes part (lower() follows the
-- locale: under C.UTF-8 it turns the typed `alİce` into `alice`, under a Turkish one `I` into `ı`).
ALTER TABLE users ADD COLUMN username_key text NOT NULL
  GENERATED ALWAYS AS (translate(username, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')) STORED;
--> statement-breakpoint
CREATE UNIQUE INDEX users_username_key_idx ON users (username_key);
