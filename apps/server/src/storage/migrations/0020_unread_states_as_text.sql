-- `ready`'s unread states as one text instead of a JSON array (the same rows, the same rules as
-- migration 0019): on the embedded engine building and parsing 400 JSON objects was a fifth of the
-- part's time (bench:ready). features/read-states/read-states.repo.ts reads the text back.
DROP FUNCTION decentra_unread_states(bigint);
--> statement-breakpoint
CREATE FUNCTION decentra_unread_states(me bigint) RETURNS text
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
    -- One text, 'channel,lastRead,lastMessage,mentions;…' (lastRead empty when never read): the
    -- embedded engine builds and hands over a string much faster than 410 JSON objects (bench:ready).
    SELECT coalesce(string_agg(c.id::text || ',' || coalesce(c.last_read_id::text, '') || ','
        || c.last_message_id::text || ',' || c.mention_count::text, ';' ORDER BY c.id), '')
    FROM counted c
  );
END
$fn$;
