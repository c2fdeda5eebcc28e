import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterChatClient } from '../test/cluster-client.js';
import { Haproxy } from '../test/cluster-haproxy.js';
import { type Person, people, restClient } from '../test/people.js';
import { exited, SpawnedServers } from '../test/spawned-server.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../test/test-db.js';
import { TestSocket } from '../test/ws-client.js';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLIENTS = 30;
/** DECENTRA_PRESENCE_GRACE_SECONDS: a dead instance's users go offline 10-15 s after its last beat. */
const GRACE_S = 10;
/** Each client queues its next message this often, once the one before was acknowledged. */
const SEND_EVERY_MS = 700;

/** Resolves once `done()` holds (polled), or fails naming `what` after `ms`. */
async function until(what: string, done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Three real server processes (`src/main.ts`) on one PostgreSQL and one Redis behind a real
 * HAProxy rendered from deploy/haproxy.cfg; 30 clients driven by the SDK as the web app drives
 * it (ChatSession over GatewayClient) send steadily through the proxy; one instance is killed
 * with SIGKILL mid-load. Postgres project only (three processes cannot share PGlite).
 */
describe.runIf(ENGINE === 'postgres')('three instances behind HAProxy, one killed under load', () => {
  const servers = new SpawnedServers(['--import', 'tsx', 'src/main.ts'], SERVER_DIR);
  let db: TestDatabase;
  let proxy: Haproxy;
  let instances: { name: string; url: string; child: ReturnType<SpawnedServers['run']> }[];
  let admin: Person;
  let users: Person[];
  let ghost: Person;
  let speaker: Person;
  let channelId: string;
  let voiceId: string;
  const clients: ClusterChatClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    if (db.database.kind !== 'postgres') throw new Error('the postgres engine is needed');
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.database.url,
      REDIS_URL,
      DECENTRA_REDIS_PREFIX: `test:${randomUUID()}:`,
      DECENTRA_ENCRYPTION_KEY: '07'.repeat(32),
      DECENTRA_TLS: 'off',
      DECENTRA_TRUST_PROXY: '127.0.0.1',
      DECENTRA_SIGNUPS_PER_HOUR: '100000',
      DECENTRA_PRESENCE_GRACE_SECONDS: String(GRACE_S),
    };
    instances = await Promise.all(
      ['i1', 'i2', 'i3'].map(async (name) => {
        const dataDir = mkdtempSync(join(tmpdir(), `decentra-${name}-`));
        const { child, url } = await servers.start({ ...env, DECENTRA_DATA_DIR: dataDir });
        return { name, url, child };
      }),
    );
    proxy = await Haproxy.start(instances.map((i) => ({ name: i.name, address: new URL(i.url).host })));
    const names = Array.from({ length: CLIENTS }, (_, i) => `member${i}`);
    [admin, ghost, speaker, ...users] = await people(proxy.url, ['admin', 'ghost', 'speaker', ...names]);
    const server = await admin.rest.createServer({ name: 'cluster' });
    channelId = server.channels.find((c) => c.type === 'text')?.id ?? '';
    voiceId = server.channels.find((c) => c.type === 'voice')?.id ?? '';
    for (const person of [ghost, speaker, ...users]) {
      const { code } = await admin.rest.createServerInvite({ serverId: server.id });
      await person.rest.joinServer({ inviteCode: code });
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.session.stop();
    await proxy?.stop();
    servers.killAll();
    await db?.drop();
  });

  it('loses no acknowledged message, delivers each once, brings every client back, keeps presence and voice right', async () => {
    const wsUrl = `${proxy.url.replace(/^http/, 'ws')}/ws`;
    for (const u of users)
      clients.push(new ClusterChatClient(u.id, wsUrl, u.token, restClient(proxy.url, u.token)));
    await Promise.all(clients.map((c) => c.session.start()));
    await Promise.all(clients.map((c) => c.session.open(channelId)));
    const [victim, ...survivors] = instances;
    if (!victim) throw new Error('no instances');
    // A user on the victim whose client never comes back: offline for everyone after the grace,
    // and out of the voice channel; a speaker there connected to a survivor stays in it.
    const lost = await TestSocket.identified(`${victim.url.replace(/^http/, 'ws')}/ws`, ghost.token);
    const survivor = survivors[0];
    if (!survivor) throw new Error('no survivor');
    const talking = await TestSocket.identified(`${survivor.url.replace(/^http/, 'ws')}/ws`, speaker.token);
    expect((await lost.socket.request('voice_join', { channelId: voiceId })).ok).toBe(true);
    expect((await talking.socket.request('voice_join', { channelId: voiceId })).ok).toBe(true);
    const inVoice = (c: ClusterChatClient) =>
      (c.store.getState().voice[voiceId] ?? []).map((v) => v.userId).sort();
    const both = [ghost.id, speaker.id].sort();
    await until(
      'everyone sees the ghost online and both in voice',
      () =>
        clients.every(
          (c) => c.store.getState().presence[ghost.id] === 'online' && String(inVoice(c)) === String(both),
        ),
      10_000,
    );

    // leastconn spreads the sockets: each instance holds a share of them.
    for (const [name, s] of await proxy.servers())
      expect(s.current, `sockets on ${name}`).toBeGreaterThanOrEqual(5);

    let sending = true;
    const queued = new Set<string>();
    let n = 0;
    const timers = clients.map((c, i) =>
      setInterval(() => {
        if (sending && c.pending === 0) queued.add(c.session.send(channelId, `c${i} #${++n}`));
      }, SEND_EVERY_MS + i),
    );
    const acks = (c: ClusterChatClient) => c.gateway.acked.size;
    let killedAt = 0;
    try {
      await until('3 acknowledged sends per client', () => clients.every((c) => acks(c) >= 3), 30_000);

      const before = clients.map(acks);
      killedAt = Date.now();
      victim.child.kill('SIGKILL');
      await exited(victim.child);
      await until(
        'every dropped client back',
        () =>
          clients.some((c) => c.droppedAt !== undefined) &&
          clients.every((c) => c.droppedAt === undefined || c.backAt !== undefined),
        30_000,
      );
      // The load goes on through the two left, then stops; every queued message gets its ack.
      await until(
        '3 more acknowledged sends per client',
        () => clients.every((c, i) => acks(c) >= (before[i] ?? 0) + 3),
        30_000,
      );
    } finally {
      sending = false;
      for (const t of timers) clearInterval(t);
    }
    await until('every outbox empty', () => clients.every((c) => c.pending === 0), 30_000);

    // The victim's clients, and only they, dropped; each was back within 10 s of the kill: its
    // session could not be resumed (its holder is dead), so it re-identified and caught up.
    const dropped = clients.filter((c) => c.droppedAt !== undefined);
    expect(dropped.length).toBeGreaterThanOrEqual(5);
    expect(dropped.length).toBeLessThanOrEqual(CLIENTS - 10);
    for (const c of dropped) {
      expect(c.droppedAt ?? 0).toBeGreaterThanOrEqual(killedAt);
      expect(c.resets, `client ${c.userId} started a new session`).toBe(1);
      expect(
        (c.backAt ?? Number.POSITIVE_INFINITY) - killedAt,
        `client ${c.userId} back`,
      ).toBeLessThanOrEqual(10_000);
    }

    const acked = new Map<string, { nonce: string; sends: number }>();
    for (const c of clients)
      for (const [nonce, id] of c.gateway.acked)
        acked.set(id, { nonce, sends: c.gateway.sends.get(nonce) ?? 0 });
    expect(acked.size).toBe(queued.size);

    const resent = [...acked.values()].filter((a) => a.sends > 1).length;
    const failedPages = clients.reduce((n, c) => n + c.failedPages, 0);
    const backMs = dropped.map((c) => (c.backAt ?? 0) - killedAt);
    console.info(
      `cluster failover: ${acked.size} messages acknowledged (${resent} resent after the kill), ${dropped.length} of ${CLIENTS} clients dropped, back after ${Math.min(...backMs)}-${Math.max(...backMs)} ms, ${failedPages} catch-up pages failed and were asked again`,
    );

    // Delivered to every member, live or by the catch-up after a lost session.
    await until(
      'every client shows every acknowledged message',
      () =>
        clients.every((c) => {
          const shown = new Set(c.shown(channelId).map((m) => m.id));
          return [...acked.keys()].every((id) => shown.has(id));
        }),
      30_000,
    );
    for (const c of clients) {
      expect(c.invalidFrames).toEqual([]);
      const shown = c.shown(channelId).map((m) => m.id);
      expect(new Set(shown).size, 'each message shown once').toBe(shown.length);
      // Live, at most once; a message whose send went out twice (its ack lost with the instance)
      // may be told again by the instance that answered the resend (at least once, merged by id).
      for (const [id, count] of c.live)
        expect(count).toBeLessThanOrEqual(Math.max(1, acked.get(id)?.sends ?? 1));
    }

    // In history exactly once: no resend stored a second copy.
    const history = await wholeHistory(admin, channelId);
    const ids = history.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of acked.keys()) expect(ids).toContain(id);
    const nonces = history.map((m) => `${m.author.id}/${m.nonce}`);
    expect(new Set(nonces).size).toBe(nonces.length);

    // Presence: the ghost (its instance dead, its client gone) goes offline for everyone after
    // the grace; every client that came back is online for every other.
    await until(
      'the ghost offline for everyone',
      () => clients.every((c) => c.store.getState().presence[ghost.id] !== 'online'),
      GRACE_S * 1000 + 20_000,
    );
    for (const c of clients)
      for (const other of clients)
        if (other !== c)
          expect(c.store.getState().presence[other.userId], `${other.userId} seen by ${c.userId}`).toBe(
            'online',
          );
    // Voice: the dead instance's member reaped and told to everyone (a new session's `ready` or
    // the survivors' event), the survivor's speaker still there.
    await until(
      'the ghost out of voice for everyone, the speaker in it',
      () => clients.every((c) => String(inVoice(c)) === String([speaker.id])),
      30_000,
    );
    expect((await talking.socket.request('voice_join', { channelId: voiceId })).ok).toBe(true);
    lost.socket.ws.terminate();
    talking.socket.close();
    expect(survivors.every((s) => s.child.exitCode === null)).toBe(true);
  }, 180_000);
});

/** Every message of the channel, oldest first, by pages of 100 through `before`. */
async function wholeHistory(person: Person, channelId: string): Promise<Message[]> {
  const all: Message[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await person.rest.listMessages({ channelId, limit: 100, ...(before ? { before } : {}) });
    all.unshift(...page);
    const oldest = page[0];
    if (page.length < 100 || !oldest) return all;
    before = oldest.id;
  }
}
