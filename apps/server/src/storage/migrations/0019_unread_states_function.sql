-- `ready`'s unread states as a function: PL/pgSQL keeps the plan of its statement for the session,
-- so the embedded engine (one session for the process, planning in WebAssembly) plans this statement
-- once instead of at every identify (planning was about a third of its cost there; bench:ready).
-- Every text channel of the user's servers and every DM of theirs with a message by someone else
-- after their read mark, as a JSON array in the wire's shape (ReadState), by channel id. The newest
-- message by someone else is the channel head, or one index step back when the user wrote the head;
-- the mention counts (capped at 100, MENTION_COUNT_CAP) are counted only where their gate is past the
-- mark: the user's mention_heads row for @name, the head's last_everyone_id for @everyone/@here; in a
-- DM every unread message of the other person counts. The same rules as readStateOf in
-- features/read-states/read-states.repo.ts, which answers one channel (a test holds them together).
CREATE FUNCTION decentra_unread_states(me bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $fn$
#variable_conflict use_column
BEGIN
  RETURN (
    WITH mine AS (
      SELECT c.id, false AS dm FROM server_members sm
        JOIN channels c ON c.server_id = sm.server_id AND c.type = 'text'
        WHERE sm.user_id = me
      UNION ALL SELECT d.channel_id, true FROM dm_channels d WHERE d.user_low = me
      UNION ALL SELECT d.channel_id, true FROM dm_channels d WHERE d.user_high = me
    ), states AS MATERIALIZED (
      SELECT mine.id, mine.dm, rs.last_read_id, newest.id AS last_message_id,
        mh.last_mention_id, h.last_everyone_id
      FROM mine
      JOIN channel_heads h ON h.channel_id = mine.id
      LEFT JOIN read_states rs ON rs.user_id = me AND rs.channel_id = mine.id
      LEFT JOIN mention_heads mh ON mh.user_id = me AND mh.channel_id = mine.id
      CROSS JOIN LATERAL (
        SELECT CASE WHEN h.author_id <> me THEN h.last_message_id
          ELSE (SELECT m.id FROM messages m WHERE m.channel_id = mine.id AND m.author_id <> me
                ORDER BY m.id DESC LIMIT 1) END
        OFFSET 0
      ) AS newest(id)
      -- A head not past the mark leaves nothing unread and needs no probe.
      WHERE h.last_message_id > coalesce(rs.last_read_id, 0) AND newest.id > coalesce(rs.last_read_id, 0)
    ), counted AS (
      SELECT s.id, s.last_read_id, s.last_message_id,
        least(100, CASE WHEN s.dm THEN
            (SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.channel_id = s.id
               AND m.id > coalesce(s.last_read_id, 0) AND m.author_id <> me LIMIT 100) dm)
          ELSE
            CASE WHEN s.last_mention_id > coalesce(s.last_read_id, 0) THEN
              (SELECT count(*) FROM (SELECT 1 FROM message_mentions mm WHERE mm.user_id = me
                 AND mm.channel_id = s.id AND mm.message_id > coalesce(s.last_read_id, 0) LIMIT 100) named)
            ELSE 0 END
            + CASE WHEN s.last_everyone_id > coalesce(s.last_read_id, 0) THEN
              (SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.channel_id = s.id
                 AND m.mention_everyone IS NOT NULL AND m.id > coalesce(s.last_read_id, 0)
                 AND m.author_id <> me AND NOT (me = ANY (m.mentions)) LIMIT 100) everyone)
            ELSE 0 END
          END)::int AS mention_count
      FROM states s
    )
    SELECT coalesce(json_agg(json_build_object('channelId', c.id::text, 'lastReadId', c.last_read_id::text,
        'lastMessageId', c.last_message_id::text, 'mentionCount', c.mention_count) ORDER BY c.id), '[]')
    FROM counted c
  );
END
$fn$;
--> statement-breakpoint
-- The user's notification overrides whose targets they can still see (a server they are a member
-- of, a text channel of one, a DM of theirs), as a JSON array in the order of their targets: for
-- `ready` beside the unread states, and for GET /users/@me/notification-overrides.
CREATE FUNCTION decentra_visible_overrides(me bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $fn$
#variable_conflict use_column
BEGIN
  RETURN (
    SELECT coalesce(json_agg(json_build_object('targetId', o.target_id::text, 'mode', o.mode,
        'muted', o.muted, 'mutedUntil', o.muted_until) ORDER BY o.target_id), '[]')
    FROM notification_overrides o
    WHERE o.user_id = me AND (
      EXISTS (SELECT 1 FROM server_members sm WHERE sm.server_id = o.target_id AND sm.user_id = me)
      OR EXISTS (SELECT 1 FROM channels c JOIN server_members sm ON sm.server_id = c.server_id AND sm.user_id = me
                 WHERE c.id = o.target_id AND c.type = 'text')
      OR EXISTS (SELECT 1 FROM dm_channels d WHERE d.channel_id = o.target_id
                 AND (d.user_low = me OR d.user_high = me)))
  );
END
$fn$;
