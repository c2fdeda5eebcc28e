-- A password reset asked for by address (`lower(email) = lower($1)`, an unauthenticated request)
-- read every account; this finds them by the address in one index step.
CREATE INDEX users_email_lower_idx ON users (lower(email)) WHERE email IS NOT NULL;
