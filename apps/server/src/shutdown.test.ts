import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from '@decentra/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { type Person, people, restClient, serverWith } from '../test/people.js';
import { exited, SpawnedServers } from '../test/spawned-server.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../test/test-db.js';
import { TestSocket } from '../test/ws-client.js';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const servers = new SpawnedServers(['--import', 'tsx', 'src/main.ts'], SERVER_DIR);
afterAll(() => servers.killAll());

const SENDERS = 8;
/** Per sender, sent at once: within the burst the send rate limit allows (10 per 5 s). */
const BURST = 8;

function environment(db: TestDatabase): Record<string, string> {
  const base = { DECENTRA_TLS: 'off', DECENTRA_SIGNUPS_PER_HOUR: '1000' };
  return db.database.kind === 'postgres'
    ? { ...base, DATABASE_URL: db.database.url, DECENTRA_DATA_DIR: db.dataDir }
    : { ...base, DECENTRA_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'drain-')), 'data') };
}

async function allMessages(person: Person, channelId: string): Promise<Message[]> {
  const all: Message[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await person.rest.listMessages({ channelId, limit: 100, ...(after ? { after } : {}) });
    all.push(...page);
    if (page.length < 100) return all;
    after = page.at(-1)?.id;
  }
}

describe('SIGTERM under load', () => {
  it('drains: what was acknowledged is stored once, every socket closes with 1012, exit code 0', async () => {
    const db = await createTestDatabase(ENGINE, { empty: true });
    try {
      const env = environment(db);
      const first = await servers.start(env);
      const senders = await people(
        first.url,
        Array.from({ length: SENDERS }, (_, i) => `sender${i}`),
      );
      const [owner] = senders;
      if (!owner) throw new Error('no owner');
      const server = await serverWith(owner, 'Drain', senders.slice(1));
      const channelId = server.channels.find((c) => c.type === 'text')?.id ?? '';
      const wsUrl = `${first.url.replace(/^http/, 'ws')}/ws`;
      const sockets = await Promise.all(
        senders.map(async (p) => (await TestSocket.identified(wsUrl, p.token)).socket),
      );

      // Every sender puts its whole burst on the wire at once: frames queue up on the server.
      const acked = new Set<string>();
      const sends = sockets.flatMap((socket, s) =>
        Array.from({ length: BURST }, async (_, n) => {
          const nonce = `s${s}-m${n}`;
          const reply = await socket
            .request('send_message', { channelId, content: nonce, nonce }, `ref-${nonce}`)
            .catch(() => undefined);
          if (reply?.ok) acked.add(nonce);
        }),
      );
      // The signal lands while replies are still coming.
      const firstAck = sockets.map((socket) => socket.next((f) => f.op === 'reply', 10_000));
      await Promise.any(firstAck);
      first.child.kill('SIGTERM');
      await Promise.all(sends);
      expect(await exited(first.child)).toBe(0);
      const closes = await Promise.all(sockets.map((socket) => socket.closed));
      expect(closes.map((c) => c.code)).toEqual(sockets.map(() => 1012));
      expect(acked.size).toBeGreaterThan(0);

      const second = await servers.start(env);
      const reader = { ...owner, rest: restClient(second.url, owner.token) };
      const stored = (await allMessages(reader, channelId)).map((m) => m.content);
      // Nothing acknowledged is lost, and nothing is stored twice.
      for (const nonce of acked) expect(stored).toContain(nonce);
      expect(new Set(stored).size).toBe(stored.length);
      second.child.kill('SIGTERM');
      expect(await exited(second.child)).toBe(0);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
