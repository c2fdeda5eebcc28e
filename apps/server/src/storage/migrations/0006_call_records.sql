-- A call's record in a DM (missed, rejected, or ended after so many seconds), written by the
-- server when the call finishes: author = the caller, content ''. Both columns or neither.
ALTER TABLE messages ADD COLUMN call_outcome text CHECK (call_outcome IN ('missed', 'rejected', 'ended'));
--> statement-breakpoint
ALTER TABLE messages ADD COLUMN call_duration_seconds integer CHECK (call_duration_seconds >= 0);
--> statement-breakpoint
ALTER TABLE messages ADD CONSTRAINT messages_call_check
  CHECK ((call_outcome IS NULL) = (call_duration_seconds IS NULL));
