import { createHash } from 'node:crypto';
import { CLOSE_CODES } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/manual-clock.js';
import { PASSWORD, type Person, people, refused, restClient } from '../../../test/people.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../../test/test-db.js';
import { startTestServer, type TestServer, testConfig } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';
import type { BusMessage } from '../../kernel/events.js';

/**
 * Tokens are answered from memory (SessionCache) once used. Every test here first uses the token,
 * so that it is cached, then changes the session or the user, and checks the next call sees it:
 * the answer must come from the cache having forgotten, not from a cold lookup.
 */

const statusOf = (call: Promise<unknown>): Promise<number> => refused(call).then((err) => err.status);

describe('one instance', () => {
  const clock = new ManualClock();
  let server: TestServer;
  let admin: Person;
  let n = 0;
  const newPerson = async (): Promise<Person> => {
    const [person] = await people(server.url, [`user${++n}`], admin);
    return person;
  };
  const login = async (username: string, password = PASSWORD): Promise<string> =>
    (await restClient(server.url).login({ username, password })).token;

  beforeAll(async () => {
    server = await startTestServer({ clock });
    [admin] = await people(server.url, ['admin']);
  });
  afterAll(() => server.close());

  it('answers a used token from memory: a change behind the server’s back shows after the TTL', async () => {
    const bob = await newPerson();
    expect((await bob.rest.me()).id).toBe(bob.id);
    const digest = createHash('sha256').update(bob.token).digest();
    // No bus message: only the safety net can notice (what a manual SQL revocation costs).
    await server.app.storage.db.execute(
      sql`update sessions set revoked_at = now() where token_hash = ${digest}`,
    );
    expect((await bob.rest.me()).id).toBe(bob.id);
    clock.advance(60_001);
    expect(await statusOf(bob.rest.me())).toBe(401);
  });

  it('logout: the token is refused at once over REST and by identify', async () => {
    const carol = await newPerson();
    const token = await login(carol.username);
    const client = restClient(server.url, token);
    await client.me();
    await client.logout();
    expect(await statusOf(restClient(server.url, token).me())).toBe(401);
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ op: 'identify', d: { token } });
    expect((await socket.closed).code).toBe(CLOSE_CODES.unauthorized);
    expect((await carol.rest.me()).id).toBe(carol.id);
  });

  it('a password change: other sessions refused, the kept one carries the new password', async () => {
    const dave = await newPerson();
    const other = restClient(server.url, await login(dave.username));
    await other.me();
    await dave.rest.changePassword({ currentPassword: PASSWORD, newPassword: 'second password' });
    expect(await statusOf(other.me())).toBe(401);
    // Checked against the row the session carries: a stale one would refuse the new password.
    await dave.rest.changePassword({ currentPassword: 'second password', newPassword: 'third password' });
    expect(
      await statusOf(
        dave.rest.changePassword({ currentPassword: 'second password', newPassword: 'x'.repeat(12) }),
      ),
    ).toBe(403);
  });

  it('the admin flag: granted and withdrawn take effect on the next call', async () => {
    const erin = await newPerson();
    expect(await statusOf(erin.rest.adminListUsers())).toBe(403);
    await admin.rest.adminUpdateUser({ userId: erin.id, isAdmin: true });
    expect((await erin.rest.adminListUsers()).length).toBeGreaterThan(0);
    await admin.rest.adminUpdateUser({ userId: erin.id, isAdmin: false });
    expect(await statusOf(erin.rest.adminListUsers())).toBe(403);
  });

  it('disable: every session is refused at once, and stays refused once enabled again', async () => {
    const frank = await newPerson();
    await frank.rest.me();
    await admin.rest.adminUpdateUser({ userId: frank.id, disabled: true });
    expect(await statusOf(frank.rest.me())).toBe(401);
    await admin.rest.adminUpdateUser({ userId: frank.id, disabled: false });
    expect(await statusOf(frank.rest.me())).toBe(401);
  });

  it('account deletion: the token is refused at once', async () => {
    const gail = await newPerson();
    await gail.rest.me();
    await gail.rest.deleteAccount({ password: PASSWORD, ownedServers: [] });
    // The SDK drops the token it ended: ask with it again.
    expect(await statusOf(restClient(server.url, gail.token).me())).toBe(401);
  });

  it('an email change shows in what the session carries (the export) at once', async () => {
    const hank = await newPerson();
    expect((await hank.rest.exportAccount()).user.email).toBeUndefined();
    await hank.rest.changeEmail({ email: 'hank@example.com', password: PASSWORD });
    expect((await hank.rest.exportAccount()).user.email).toBe('hank@example.com');
  });

  it('answers many cold tokens at once (one lookup), each with its own user or a refusal', async () => {
    const crowd = await Promise.all([newPerson(), newPerson(), newPerson()]);
    // Fresh logins: none of them cached yet.
    const tokens = await Promise.all(crowd.map((p) => login(p.username)));
    const revoked = await login(crowd[0]?.username ?? '');
    await restClient(server.url, revoked).logout();
    const answers = await Promise.all(
      [...tokens, revoked, 'not-a-token'].map((token) => {
        const call = restClient(server.url, token).me();
        return call.then(
          (me) => me.id,
          () => statusOf(call),
        );
      }),
    );
    expect(answers).toEqual([...crowd.map((p) => p.id), 401, 401]);
  });

  // Last: it moves the clock past every session's lifetime.
  it('refuses an expired session, cached or not', async () => {
    const kim = await newPerson();
    await kim.rest.me();
    const expired = await login(kim.username);
    const digest = createHash('sha256').update(expired).digest();
    await server.app.storage.db.execute(
      sql`update sessions set expires_at = now() - interval '1 second' where token_hash = ${digest}`,
    );
    // Never used, so never cached: the database's answer counts at once.
    expect(await statusOf(restClient(server.url, expired).me())).toBe(401);
    clock.advance(testConfig(server.db).sessionTtlMs);
    expect(await statusOf(kim.rest.me())).toBe(401);
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Revocations made on one instance reach the other's cache through Redis (a shared database). */
describe.runIf(ENGINE === 'postgres')('two instances behind one Redis', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let admin: Person;

  /** Resolves once B's bus has delivered a `session_revoked` (B's cache heard it first: it subscribed first). */
  const heardOnB = (): Promise<void> =>
    new Promise((resolve) => {
      const stop = b.app.bus.subscribe((message: BusMessage) => {
        if (message.kind !== 'session_revoked') return;
        stop();
        resolve();
      });
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestServer({ db, config: { redisUrl: REDIS_URL } });
    b = await startTestServer({ db, config: { redisUrl: REDIS_URL } });
    [admin] = await people(a.url, ['admin']);
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
  });

  it('logout on A: A refuses as it answers, B once the bus has brought the revocation', async () => {
    const [ivy] = await people(a.url, ['ivy'], admin);
    const onB = restClient(b.url, ivy.token);
    expect((await onB.me()).id).toBe(ivy.id);
    const heard = heardOnB();
    await ivy.rest.logout();
    expect(await statusOf(restClient(a.url, ivy.token).me())).toBe(401);
    await heard;
    expect(await statusOf(onB.me())).toBe(401);
  });

  it('disabled through A: B refuses the user’s cached sessions once it has heard', async () => {
    const [jack] = await people(a.url, ['jack'], admin);
    const onB = restClient(b.url, jack.token);
    await onB.me();
    const heard = heardOnB();
    await admin.rest.adminUpdateUser({ userId: jack.id, disabled: true });
    await heard;
    expect(await statusOf(onB.me())).toBe(401);
  });
});
