-- Everything one person wrote, in order (their data export; later `from:` in search) without
-- reading every message of the instance.
CREATE INDEX messages_author_idx ON messages (author_id, id);
