import { readFileSync } from 'node:fs';
import { CLOSE_CODES, usernameKey } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
import { ManualClock } from '../../../test/manual-clock.js';
import {
  PASSWORD,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
  textChannelOf,
} from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let http: Api;
const clock = new ManualClock();
const startedAt = clock.now();
let admin: Person;
let alice: Person;
let bob: Person;

async function exec(query: ReturnType<typeof sql>): Promise<void> {
  await server.app.storage.db.execute(query);
}

/** Marks an account deleted the way account deletion leaves it (the row stays). */
async function markDeleted(person: Person): Promise<void> {
  await exec(sql`update users set deleted_at = now() where id = ${person.id}`);
}

async function activeAdmins(): Promise<string[]> {
  const result = (await server.app.storage.db.execute(
    sql`select id::text as id from users where is_admin and disabled_at is null and deleted_at is null order by id`,
  )) as unknown as { rows: Array<{ id: string }> };
  return result.rows.map((r) => r.id);
}

beforeAll(async () => {
  server = await startTestServer({ clock });
  http = api(server.url);
  [admin, alice, bob] = await people(server.url, ['admin', 'alice', 'bob']);
});
afterAll(async () => {
  await server.close();
});

describe('admin routes', () => {
  it('are the admin’s alone; the instance info is anyone’s', async () => {
    const calls = (p: Person) => [
      () => p.rest.adminOverview(),
      () => p.rest.adminListUsers({}),
      () => p.rest.adminUpdateUser({ userId: admin.id, isAdmin: false }),
      () => p.rest.adminListInvites(),
      () => p.rest.adminRevokeInvite({ code: 'whatever' }),
    ];
    for (const call of calls(alice)) expect((await refused(call())).status).toBe(403);
    const anonymous = { ...alice, rest: restClient(server.url) };
    for (const call of calls(anonymous)) expect((await refused(call())).status).toBe(401);
    expect(await restClient(server.url).getInstance()).toEqual({
      name: 'Decentra',
      registration: 'invite',
      needsSetup: false,
      passwordReset: false,
    });
    expect(await activeAdmins()).toEqual([admin.id]);
  });
});

describe('overview', () => {
  it('counts accounts not deleted, servers and messages; tells the engine, size, version and uptime', async () => {
    const [ghost] = await people(server.url, ['ghost'], admin);
    await markDeleted(ghost as Person);
    const one = await serverWith(admin, 'One');
    await serverWith(alice, 'Two');
    for (const content of ['a', 'b', 'c'])
      await admin.rest.sendMessage({ channelId: textChannelOf(one), content });
    clock.advance(90_500);
    const overview = await admin.rest.adminOverview();
    const rootVersion = (
      JSON.parse(readFileSync(new URL('../../../../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      }
    ).version;
    expect(overview).toMatchObject({
      users: 3,
      servers: 2,
      messages: 3,
      storage: { engine: server.app.storage.engine === 'pglite' ? 'embedded' : 'postgres' },
      version: rootVersion,
      startedAt: new Date(startedAt).toISOString(),
      uptimeSeconds: 90,
    });
    expect(overview.storage.databaseBytes).toBeGreaterThan(1_000_000);
  });
});

describe('the users list', () => {
  let zeds: readonly Person[];
  it('pages by name after `after`, in byte order of the name key, without deleted accounts', async () => {
    zeds = await people(server.url, ['Zed1', 'zed2', 'zed3', 'zed4', 'zed_x'], admin);
    const all = await admin.rest.adminListUsers({});
    const names = all.map((u) => u.username);
    expect(names).not.toContain('ghost');
    expect(names).toEqual([...names].sort((a, b) => (usernameKey(a) < usernameKey(b) ? -1 : 1)));
    expect(names).toEqual(['admin', 'alice', 'bob', 'Zed1', 'zed2', 'zed3', 'zed4', 'zed_x']);

    const first = await admin.rest.adminListUsers({ q: 'ZED', limit: 2 });
    expect(first.map((u) => u.username)).toEqual(['Zed1', 'zed2']);
    const second = await admin.rest.adminListUsers({ q: 'zed', after: 'ZED2', limit: 2 });
    expect(second.map((u) => u.username)).toEqual(['zed3', 'zed4']);
    const last = await admin.rest.adminListUsers({ q: 'zed', after: 'zed4', limit: 2 });
    expect(last.map((u) => u.username)).toEqual(['zed_x']);
    expect(await admin.rest.adminListUsers({ q: 'zed', after: 'zed_x' })).toEqual([]);
  });

  it('finds a name prefix or part of an email, with LIKE’s wildcards taken literally', async () => {
    const { code } = await admin.rest.createInvite();
    await restClient(server.url).signup({
      username: 'mailuser',
      password: PASSWORD,
      email: 'Quux.Mail@Example.test',
      inviteCode: code,
    });
    expect((await admin.rest.adminListUsers({ q: 'zed_' })).map((u) => u.username)).toEqual(['zed_x']);
    expect((await admin.rest.adminListUsers({ q: 'quux.mail@' })).map((u) => u.username)).toEqual([
      'mailuser',
    ]);
    expect((await admin.rest.adminListUsers({ q: 'example.TEST' })).map((u) => u.email)).toEqual([
      'Quux.Mail@Example.test',
    ]);
    expect(await admin.rest.adminListUsers({ q: '%' })).toEqual([]);
    expect(await admin.rest.adminListUsers({ q: 'ghost' })).toEqual([]);
  });

  it('says who invited each account (the signup’s code) and when they were last seen', async () => {
    // Signed up with bob's server invite, later joined admin's server too: bob invited them.
    const bobs = await serverWith(bob, 'Bobs');
    const { code } = await bob.rest.createServerInvite({ serverId: bobs.id });
    const viaServer = restClient(server.url);
    const { user: joiner } = await viaServer.signup({
      username: 'joiner',
      password: PASSWORD,
      inviteCode: code,
    });
    const admins = await serverWith(admin, 'Admins');
    const second = await admin.rest.createServerInvite({ serverId: admins.id });
    await viaServer.joinServer({ inviteCode: second.code });
    // An inviter whose account was deleted is nobody to show.
    const [gone] = await people(server.url, ['gone'], admin);
    const [orphan] = await people(server.url, ['orphan'], gone);
    await markDeleted(gone as Person);
    // Two sessions of alice's: the later use counts. Nobody has used zed2's.
    await restClient(server.url).login({ username: 'alice', password: PASSWORD });
    await exec(sql`update sessions set last_active_at = '2026-01-01T00:00:00Z' where user_id = ${alice.id}`);
    await exec(sql`update sessions set last_active_at = '2026-02-01T00:00:00Z'
      where id = (select max(id) from sessions where user_id = ${alice.id})`);
    await exec(sql`delete from sessions where user_id = ${zeds[1]?.id}`);

    const byName = new Map((await admin.rest.adminListUsers({ limit: 100 })).map((u) => [u.username, u]));
    expect(byName.get('admin')?.invitedBy).toBeUndefined();
    expect(byName.get('alice')).toMatchObject({
      invitedBy: { id: admin.id, username: 'admin' },
      lastSeenAt: '2026-02-01T00:00:00.000Z',
      isAdmin: false,
      disabled: false,
    });
    expect(byName.get('joiner')).toMatchObject({ id: joiner.id, invitedBy: { id: bob.id, username: 'bob' } });
    expect(byName.get('orphan')?.id).toBe(orphan?.id);
    expect(byName.get('orphan')?.invitedBy).toBeUndefined();
    expect(byName.get('zed2')?.lastSeenAt).toBeUndefined();
    expect(byName.get('zed3')?.lastSeenAt).toBeDefined();
  });

  it('refuses bad queries', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=x', `q=${'a'.repeat(65)}`, 'q=%01', 'extra=1']) {
      expect((await http.get(`/api/admin/users?${query}`, { token: admin.token })).status).toBe(400);
    }
  });
});

describe('disabling an account', () => {
  it('closes their sockets with 4012, refuses their token, and refuses their login only once the password is right', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, bob.token);
    const answer = await admin.rest.adminUpdateUser({ userId: bob.id, disabled: true });
    expect(answer).toMatchObject({ id: bob.id, username: 'bob', disabled: true, isAdmin: false });
    expect((await socket.closed).code).toBe(CLOSE_CODES.accountDisabled);
    expect((await refused(bob.rest.listServers())).status).toBe(401);
    const wrong = await refused(
      restClient(server.url).login({ username: 'bob', password: 'not-the-password' }),
    );
    expect(wrong.status).toBe(401);
    const right = await refused(restClient(server.url).login({ username: 'BOB', password: PASSWORD }));
    expect(right.status).toBe(403);
    expect(right.reason).toBe('account_disabled');
    expect(right.message).toBe('This account has been disabled by an admin.');
    expect((await admin.rest.adminListUsers({ q: 'bob' }))[0]?.disabled).toBe(true);
  });

  it('is undone by enabling: they log in again', async () => {
    const answer = await admin.rest.adminUpdateUser({ userId: bob.id, disabled: false });
    expect(answer.disabled).toBe(false);
    const { token } = await restClient(server.url).login({ username: 'bob', password: PASSWORD });
    bob = { ...bob, token, rest: restClient(server.url, token) };
    expect(await bob.rest.listServers()).toBeDefined();
  });

  it('tells the user when their admin right is granted or withdrawn', async () => {
    const { socket } = await TestSocket.identified(server.wsUrl, alice.token);
    const from = socket.frames.length;
    expect((await admin.rest.adminUpdateUser({ userId: alice.id, isAdmin: true })).isAdmin).toBe(true);
    expect((await socket.nextEvent('user_update', (u) => u.isAdmin, 5_000, from)).d).toMatchObject({
      id: alice.id,
      username: 'alice',
      isAdmin: true,
    });
    // Now an admin, alice may look.
    expect((await alice.rest.adminOverview()).users).toBeGreaterThan(0);
    await admin.rest.adminUpdateUser({ userId: alice.id, isAdmin: false });
    expect((await socket.nextEvent('user_update', (u) => !u.isAdmin, 5_000, from)).d.id).toBe(alice.id);
    expect((await refused(alice.rest.adminOverview())).status).toBe(403);
    socket.close();
  });

  it('refuses the admin’s own account, unknown and deleted ones, and bad bodies, changing nothing', async () => {
    const before = await admin.rest.adminListUsers({ limit: 100 });
    for (const change of [{ disabled: true }, { isAdmin: false }, { disabled: true, isAdmin: true }]) {
      const err = await refused(admin.rest.adminUpdateUser({ userId: admin.id, ...change }));
      expect(err.status).toBe(400);
      expect(err.reason).toBe('own_account');
    }
    expect((await refused(admin.rest.adminUpdateUser({ userId: '123456789', disabled: true }))).status).toBe(
      404,
    );
    const [ghost] = await people(server.url, ['ghost2'], admin);
    await markDeleted(ghost as Person);
    expect(
      (await refused(admin.rest.adminUpdateUser({ userId: ghost?.id ?? '', disabled: true }))).status,
    ).toBe(404);
    for (const body of [{}, { disabled: 'yes' }, { isAdmin: null }, { disabled: true, extra: 1 }]) {
      expect((await http.patch(`/api/admin/users/${bob.id}`, body, { token: admin.token })).status).toBe(400);
    }
    expect(
      (await http.patch('/api/admin/users/abc', { disabled: true }, { token: admin.token })).status,
    ).toBe(400);
    expect(await admin.rest.adminListUsers({ limit: 100 })).toEqual(before);
  });
});

describe('the last admin', () => {
  /** Two admins each removing the other at the same moment: one wins, one is refused. */
  async function race(change: { disabled?: boolean; isAdmin?: boolean }): Promise<void> {
    await admin.rest.adminUpdateUser({ userId: alice.id, isAdmin: true, disabled: false });
    await admin.rest.adminUpdateUser({ userId: admin.id, isAdmin: true });
    expect(await activeAdmins()).toHaveLength(2);
    const results = await Promise.allSettled([
      admin.rest.adminUpdateUser({ userId: alice.id, ...change }),
      alice.rest.adminUpdateUser({ userId: admin.id, ...change }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const err = (lost[0] as PromiseRejectedResult).reason as { status: number; reason?: string };
    // Refused in the transaction (the usual case), or already by the route's admin check
    // (or the revoked session) when the other had committed before this one arrived.
    if (err.status === 409) expect(err.reason).toBe('last_admin');
    else expect([401, 403]).toContain(err.status);
    expect(await activeAdmins()).toHaveLength(1);
    // Put things back: whoever is left re-enables and re-promotes the other.
    const [left] = await activeAdmins();
    const winner = left === admin.id ? admin : alice;
    const loser = left === admin.id ? alice : admin;
    await winner.rest.adminUpdateUser({ userId: loser.id, isAdmin: true, disabled: false });
    if (change.disabled) {
      const { token } = await restClient(server.url).login({ username: loser.username, password: PASSWORD });
      const fresh = { ...loser, token, rest: restClient(server.url, token) };
      if (loser === admin) admin = fresh;
      else alice = fresh;
    }
  }

  it('stays when two admins withdraw each other’s right at once', async () => {
    for (let round = 0; round < 5; round++) await race({ isAdmin: false });
  });

  it('stays when two admins disable each other at once', async () => {
    for (let round = 0; round < 5; round++) await race({ disabled: true });
  });

  it('lets an admin withdraw another admin’s right while one is left', async () => {
    await admin.rest.adminUpdateUser({ userId: alice.id, isAdmin: true });
    expect((await admin.rest.adminUpdateUser({ userId: alice.id, isAdmin: false })).isAdmin).toBe(false);
    expect(await activeAdmins()).toEqual([admin.id]);
  });
});

describe('signup codes', () => {
  it('lists the unused ones, newest first, with their creator; not server invites, not used ones', async () => {
    const before = (await admin.rest.adminListInvites()).map((i) => i.code);
    const a = await admin.rest.createInvite();
    const b = await alice.rest.createInvite();
    const used = await admin.rest.createInvite();
    await restClient(server.url).signup({ username: 'usedcode', password: PASSWORD, inviteCode: used.code });
    const [creator] = await people(server.url, ['creator'], admin);
    const c = await (creator as Person).rest.createInvite();
    await markDeleted(creator as Person);
    const srv = await serverWith(admin, 'Invites');
    await admin.rest.createServerInvite({ serverId: srv.id });

    const list = await admin.rest.adminListInvites();
    const fresh = list.filter((i) => !before.includes(i.code));
    expect(fresh.map((i) => i.code)).toEqual([c.code, b.code, a.code]);
    expect(fresh[0]?.createdBy).toBeUndefined();
    expect(fresh[1]?.createdBy).toEqual({ id: alice.id, username: 'alice' });
    expect(fresh[2]?.createdBy).toEqual({ id: admin.id, username: 'admin' });
  });

  it('revokes an unused signup code, which then cannot sign anyone up; nothing else', async () => {
    const { code } = await alice.rest.createInvite();
    expect(await admin.rest.adminRevokeInvite({ code })).toBeUndefined();
    expect((await admin.rest.adminListInvites()).map((i) => i.code)).not.toContain(code);
    const err = await refused(
      restClient(server.url).signup({ username: 'late', password: PASSWORD, inviteCode: code }),
    );
    expect(err.status).toBe(403);
    expect(err.reason).toBe('unknown_code');
    expect((await refused(admin.rest.adminRevokeInvite({ code }))).status).toBe(404);

    // A server invite is not this route's; it still works after the attempt.
    const srv = await serverWith(admin, 'Kept');
    const invite = await admin.rest.createServerInvite({ serverId: srv.id });
    expect((await refused(admin.rest.adminRevokeInvite({ code: invite.code }))).status).toBe(404);
    const [newcomer] = await people(server.url, ['newcomer'], admin);
    await (newcomer as Person).rest.joinServer({ inviteCode: invite.code });
    // A used code neither.
    const used = await admin.rest.createInvite();
    await restClient(server.url).signup({ username: 'usedtoo', password: PASSWORD, inviteCode: used.code });
    expect((await refused(admin.rest.adminRevokeInvite({ code: used.code }))).status).toBe(404);
    expect((await http.delete(`/api/admin/invites/${'x'.repeat(65)}`, { token: admin.token })).status).toBe(
      400,
    );
  });
});
