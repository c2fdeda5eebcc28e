/**
 * The history baseline: the best a bare tool does with the same page. A plain `node:http` server
 * in the bench server's process, one prepared `pg` statement (the page's messages and authors on
 * the same index, no reply, pin, reaction or file lookups, no auth), `JSON.stringify` of its rows.
 * What Decentra adds over it is auth, the access check, validation, and the lookups it skips.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const PAGE = `select m.id::text as id, m.channel_id::text as "channelId", m.author_id::text as "authorId",
  u.username, m.content, m.created_at as "createdAt", m.edited_at as "editedAt"
  from messages m join users u on u.id = m.author_id
  where m.channel_id = $1 and m.id < $2 order by m.id desc limit $3`;
const NO_BOUND = '9223372036854775807';

export async function startBareHistory(
  databaseUrl: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bare');
    const channel = url.searchParams.get('channel') ?? '0';
    const before = url.searchParams.get('before') ?? NO_BOUND;
    pool
      .query({ name: 'bare_history', text: PAGE, values: [channel, before, 50] })
      .then(({ rows }) => {
        const body = JSON.stringify(rows.reverse());
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      })
      .catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
