-- Stored file contents, by the SHA-256 of their bytes: one file uploaded twice is kept once. A
-- blob no attachment refers to (as its file or its preview) is deleted by the sweep, together
-- with its bytes in the blob store, under this row's lock (features/attachments/sweep).
CREATE TABLE blobs (
  sha256 text PRIMARY KEY,
  size bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
-- Uploads. `message_id` is null until the file is sent, then the message it went with (claimed
-- just before that message is written through the group commit, so there is no foreign key: the
-- trigger below removes the rows with their message). Unsent uploads go after an hour.
CREATE TABLE attachments (
  id bigint PRIMARY KEY,
  uploader_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  channel_id bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  blob_sha256 text NOT NULL REFERENCES blobs(sha256),
  filename text NOT NULL,
  size bigint NOT NULL,
  content_type text NOT NULL,
  kind text NOT NULL,
  width integer,
  height integer,
  animated boolean NOT NULL DEFAULT false,
  preview_sha256 text REFERENCES blobs(sha256),
  message_id bigint,
  position integer,
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX attachments_message_idx ON attachments (message_id, position);
--> statement-breakpoint
CREATE INDEX attachments_unsent_idx ON attachments (created_at) WHERE message_id IS NULL;
--> statement-breakpoint
CREATE INDEX attachments_blob_idx ON attachments (blob_sha256);
--> statement-breakpoint
CREATE INDEX attachments_preview_idx ON attachments (preview_sha256);
--> statement-breakpoint
-- What each user stores (the sum of their attachments' sizes, kept by the triggers below whatever
-- removes the rows: a message, a channel, a server) and what uploads in flight have reserved. A
-- reservation is one conditional UPDATE of this row: parallel uploads cannot pass the quota.
CREATE TABLE upload_quotas (
  user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  used_bytes bigint NOT NULL DEFAULT 0,
  reserved_bytes bigint NOT NULL DEFAULT 0
);
--> statement-breakpoint
CREATE FUNCTION attachments_count_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE upload_quotas SET used_bytes = used_bytes + NEW.size WHERE user_id = NEW.uploader_id;
    RETURN NEW;
  END IF;
  UPDATE upload_quotas SET used_bytes = greatest(0, used_bytes - OLD.size) WHERE user_id = OLD.uploader_id;
  RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER attachments_usage AFTER INSERT OR DELETE ON attachments
FOR EACH ROW EXECUTE FUNCTION attachments_count_usage();
--> statement-breakpoint
CREATE FUNCTION messages_drop_attachments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM attachments WHERE message_id = OLD.id;
  RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER messages_attachments AFTER DELETE ON messages
FOR EACH ROW EXECUTE FUNCTION messages_drop_attachments();
