import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../test/http.js';
import { type Person, people, refused, serverWith } from '../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../test/test-db.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { TestSocket } from '../test/ws-client.js';

/** As the database's superuser, on another database: what an operator or a failover does. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL going away under the server (a restart, a failover, pg_terminate_backend): the
 * server stays up and says 503 `unavailable`, sockets stay open, and it all comes back by itself.
 */
describe.runIf(ENGINE === 'postgres')('the database going away', () => {
  let db: TestDatabase;
  let server: TestServer;
  let ann: Person;
  let ben: Person;
  let channelId: string;
  let name: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    if (db.database.kind !== 'postgres') throw new Error('unreachable');
    name = new URL(db.database.url).pathname.slice(1);
    server = await startTestServer({ db });
    [ann, ben] = await people(server.url, ['ann', 'ben']);
    const made = await serverWith(ann, 'Outage', [ben]);
    channelId = made.channels.find((c) => c.type === 'text')?.id ?? '';
  });
  afterAll(async () => {
    await admin(`alter database ${name} with allow_connections true`).catch(() => {});
    await server?.close();
    await db?.drop();
  });

  it('answers 503 while it is unreachable, keeps sockets, and recovers with nothing acknowledged lost', async () => {
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/ws`;
    const { socket } = await TestSocket.identified(wsUrl, ben.token);
    const acked: string[] = [];
    const send = async (n: number) => {
      const viaGateway = n % 2 === 0;
      const content = `m${n}`;
      if (viaGateway) {
        const reply = await socket.request('send_message', { channelId, content, nonce: content });
        if (reply.ok) acked.push(content);
        return reply.ok ? 'ok' : reply.error?.code;
      }
      return ann.rest.sendMessage({ channelId, content, nonce: content }).then(
        () => {
          acked.push(content);
          return 'ok';
        },
        (err: { code?: string }) => err.code,
      );
    };
    expect(await send(0)).toBe('ok');
    expect(await send(1)).toBe('ok');

    // The database goes away: every connection of the server is cut, and no new one is let in.
    await admin(`alter database ${name} with allow_connections false`);
    await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`);

    const ready = await api(server.url).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: 'down' });
    expect((await api(server.url).get('/healthz')).status).toBe(200);
    expect(await send(2)).toBe('unavailable');
    const rest = await refused(ann.rest.sendMessage({ channelId, content: 'm3', nonce: 'm3' }));
    expect(rest).toMatchObject({ status: 503, code: 'unavailable' });
    // A new socket is told to come back later (1013), not logged out (4001).
    const late = await TestSocket.open(wsUrl);
    late.send({ op: 'identify', d: { token: ann.token } });
    expect((await late.closed).code).toBe(1013);
    // The open socket is still there.
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);

    await admin(`alter database ${name} with allow_connections true`);
    await expect
      .poll(async () => (await api(server.url).get('/readyz')).status, { timeout: 15_000 })
      .toBe(200);
    for (let n = 4; n < 10; n++) expect(await send(n)).toBe('ok');

    const stored = (await ann.rest.listMessages({ channelId, limit: 100 })).map((m) => m.content);
    expect(stored).toEqual(acked);
    // The instance holds its worker id again (ids stay unique across instances).
    await expect
      .poll(
        async () => {
          const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
          await client.connect();
          try {
            const r = await client.query<{ n: string }>(
              `select count(*) as n from pg_locks l join pg_stat_activity a using (pid)
               where l.locktype = 'advisory' and a.datname = $1`,
              [name],
            );
            return Number(r.rows[0]?.n);
          } finally {
            await client.end();
          }
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    socket.close();
  });
});
