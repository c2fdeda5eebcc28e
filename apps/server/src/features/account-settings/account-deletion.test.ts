import { CLOSE_CODES, DELETED_USER_NAME, SESSION_COOKIE } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, api } from '../../../test/http.js';
import {
  befriend,
  PASSWORD,
  type Person,
  people,
  refused,
  restClient,
  serverWith,
  textChannelOf,
  voiceChannelOf,
} from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { goneFromVoice, joinVoice } from '../../../test/voice.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let http: Api;
let admin: Person;

beforeAll(async () => {
  server = await startTestServer();
  http = api(server.url);
  [admin] = await people(server.url, ['admin']);
});
afterAll(async () => {
  await server.close();
});

const login = (username: string, password = PASSWORD) =>
  http.request('POST', '/api/auth/login', { username, password });

async function socketOf(person: Person): Promise<TestSocket> {
  return (await TestSocket.identified(server.wsUrl, person.token)).socket;
}

describe('deleting my account', () => {
  it('is refused unless every owned server is named rightly, and with a wrong password; nothing changes', async () => {
    const [olga, ben, cat] = await people(server.url, ['olga', 'ben', 'cat'], admin);
    const mine = await serverWith(olga, 'Olga 1', [ben]);
    const other = await serverWith(olga, 'Olga 2');
    const bens = await serverWith(ben, 'Ben’s', [olga]);

    const none = await refused(olga.rest.deleteAccount({ password: PASSWORD, ownedServers: [] }));
    expect(none.status).toBe(409);
    expect(none.reason).toBe('owned_servers');
    const partial = await refused(
      olga.rest.deleteAccount({
        password: PASSWORD,
        ownedServers: [{ serverId: mine.id, transferTo: null }],
      }),
    );
    expect(partial.reason).toBe('owned_servers');
    const all = (transferTo: string | null) => [
      { serverId: mine.id, transferTo },
      { serverId: other.id, transferTo: null },
    ];
    const notMine = await refused(
      olga.rest.deleteAccount({
        password: PASSWORD,
        ownedServers: [...all(null), { serverId: bens.id, transferTo: null }],
      }),
    );
    expect(notMine.status).toBe(400);
    const twice = await refused(
      olga.rest.deleteAccount({
        password: PASSWORD,
        ownedServers: [...all(null), { serverId: mine.id, transferTo: null }],
      }),
    );
    expect(twice.status).toBe(400);
    // cat is no member of that server; olga cannot hand it to herself.
    expect(
      (await refused(olga.rest.deleteAccount({ password: PASSWORD, ownedServers: all(cat.id) }))).status,
    ).toBe(400);
    expect(
      (await refused(olga.rest.deleteAccount({ password: PASSWORD, ownedServers: all(olga.id) }))).status,
    ).toBe(400);
    const wrong = await refused(olga.rest.deleteAccount({ password: 'not mine', ownedServers: all(ben.id) }));
    expect(wrong.reason).toBe('wrong_password');
    const bad = await http.request(
      'POST',
      '/api/users/@me/delete',
      { password: PASSWORD, ownedServers: 'all' },
      { token: olga.token },
    );
    expect(bad.status).toBe(400);

    expect((await login('olga')).status).toBe(200);
    expect((await olga.rest.listServers()).map((s) => s.name).sort()).toEqual(['Ben’s', 'Olga 1', 'Olga 2']);
    expect((await olga.rest.getServer({ serverId: mine.id })).ownerId).toBe(olga.id);
  });

  it('hands over or deletes owned servers, leaves the rest, ends friendships; messages stay as "Deleted user"', async () => {
    const [gail, hugo, iris, jon, kim] = await people(
      server.url,
      ['gail', 'hugo', 'iris', 'jon', 'kim'],
      admin,
    );
    const handed = await serverWith(gail, 'Handed', [hugo, iris]);
    const gone = await serverWith(gail, 'Gone', [iris]);
    const joined = await serverWith(jon, 'Joined', [gail]);
    await befriend(gail, hugo);
    const request = await gail.rest.sendFriendRequest({ username: 'kim' });
    await gail.rest.sendMessage({ channelId: textChannelOf(handed), content: 'hello from gail' });
    const dm = await hugo.rest.openDm({ userId: gail.id });
    await gail.rest.sendMessage({ channelId: dm.id, content: 'a private word' });
    const invite = await gail.rest.createInvite();

    const gailSocket = await socketOf(gail);
    const hugoSocket = await socketOf(hugo);
    const irisSocket = await socketOf(iris);
    const jonSocket = await socketOf(jon);
    const kimSocket = await socketOf(kim);
    await joinVoice(gailSocket, voiceChannelOf(joined));
    await jonSocket.nextEvent('voice_state_update', (d) => d.userId === gail.id && d.present);
    await gail.rest.deleteAccount({
      password: PASSWORD,
      ownedServers: [
        { serverId: handed.id, transferTo: hugo.id },
        { serverId: gone.id, transferTo: null },
      ],
    });

    expect((await gailSocket.closed).code).toBe(CLOSE_CODES.sessionRevoked);
    expect((await hugoSocket.nextEvent('server_update', (d) => d.id === handed.id)).d.ownerId).toBe(hugo.id);
    await hugoSocket.nextEvent('member_leave', (d) => d.serverId === handed.id && d.userId === gail.id);
    await hugoSocket.nextEvent('friend_remove', (d) => d.userId === gail.id);
    await irisSocket.nextEvent('server_delete', (d) => d.id === gone.id);
    await irisSocket.nextEvent('member_leave', (d) => d.serverId === handed.id && d.userId === gail.id);
    await goneFromVoice(jonSocket, gail.id);
    await jonSocket.nextEvent('member_leave', (d) => d.serverId === joined.id && d.userId === gail.id);
    await kimSocket.nextEvent('friend_request_delete', (d) => d.id === request.id);

    expect((await hugo.rest.getServer({ serverId: handed.id })).ownerId).toBe(hugo.id);
    expect((await refused(iris.rest.getServer({ serverId: gone.id }))).status).toBe(404);
    expect((await jon.rest.listMembers({ serverId: joined.id })).map((m) => m.user.username)).toEqual([
      'jon',
    ]);
    expect((await hugo.rest.listFriends()).friends).toEqual([]);
    expect((await kim.rest.listFriends()).incoming).toEqual([]);

    const history = await hugo.rest.listMessages({ channelId: textChannelOf(handed) });
    expect(history.map((m) => [m.author.username, m.content])).toEqual([
      [DELETED_USER_NAME, 'hello from gail'],
    ]);
    const dmHistory = await hugo.rest.listMessages({ channelId: dm.id });
    expect(dmHistory.map((m) => [m.author.id, m.author.username])).toEqual([[gail.id, DELETED_USER_NAME]]);

    expect((await refused(gail.rest.me())).status).toBe(401);
    expect((await login('gail')).status).toBe(401);
    expect(await hugo.rest.searchUsers({ q: 'Deleted' })).toEqual([]);
    expect(await hugo.rest.searchUsers({ q: 'gail' })).toEqual([]);
    expect((await refused(hugo.rest.sendFriendRequest({ username: DELETED_USER_NAME }))).status).toBe(404);
    // Her signup code is gone with her; her name is free again.
    const signup = restClient(server.url);
    expect(
      (await refused(signup.signup({ username: 'x-user', password: PASSWORD, inviteCode: invite.code })))
        .status,
    ).toBe(403);
    const { code } = await admin.rest.createInvite();
    const again = await signup.signup({ username: 'gail', password: PASSWORD, inviteCode: code });
    expect(again.user.id).not.toBe(gail.id);
    expect((await hugo.rest.searchUsers({ q: 'gail' })).map((u) => u.id)).toEqual([again.user.id]);
  });

  it('ends the session and clears its cookie', async () => {
    const [lou] = await people(server.url, ['lou'], admin);
    const res = await http.request(
      'POST',
      '/api/users/@me/delete',
      { password: PASSWORD },
      { token: lou.token },
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toContain(`${SESSION_COOKIE}=;`);
    expect((await refused(lou.rest.me())).status).toBe(401);
  });

  it('is refused to the last admin while other accounts exist', async () => {
    const err = await refused(admin.rest.deleteAccount({ password: PASSWORD, ownedServers: [] }));
    expect(err.status).toBe(409);
    expect(err.reason).toBe('last_admin');
    expect((await admin.rest.me()).isAdmin).toBe(true);
  });
});

describe('an admin deleting an account', () => {
  it('hands each owned server to its longest-standing member, deletes one left alone', async () => {
    const [pete, quin, rob] = await people(server.url, ['pete', 'quin', 'rob'], admin);
    const shared = await serverWith(pete, 'Shared', [quin, rob]);
    const alone = await serverWith(pete, 'Alone');
    const peteSocket = await socketOf(pete);
    const robSocket = await socketOf(rob);
    await admin.rest.adminDeleteUser({ userId: pete.id });
    expect((await peteSocket.closed).code).toBe(CLOSE_CODES.sessionRevoked);
    expect((await robSocket.nextEvent('server_update', (d) => d.id === shared.id)).d.ownerId).toBe(quin.id);
    await robSocket.nextEvent('member_leave', (d) => d.userId === pete.id);
    expect((await quin.rest.getServer({ serverId: shared.id })).ownerId).toBe(quin.id);
    expect((await admin.rest.listServers()).map((s) => s.id)).not.toContain(alone.id);
    expect((await login('pete')).status).toBe(401);
    expect((await refused(admin.rest.adminDeleteUser({ userId: pete.id }))).status).toBe(404);
  });

  it('refuses themself, unknown users and non-admins', async () => {
    const [sue] = await people(server.url, ['sue'], admin);
    const self = await refused(admin.rest.adminDeleteUser({ userId: admin.id }));
    expect(self.status).toBe(400);
    expect(self.reason).toBe('own_account');
    expect((await refused(admin.rest.adminDeleteUser({ userId: '4242' }))).status).toBe(404);
    expect((await refused(sue.rest.adminDeleteUser({ userId: admin.id }))).status).toBe(403);
    expect((await admin.rest.me()).username).toBe('admin');
  });
});

describe('the only account', () => {
  it('may be deleted, and the next signup sets the instance up again', async () => {
    const fresh = await startTestServer();
    try {
      const [only] = await people(fresh.url, ['only']);
      await only.rest.deleteAccount({ password: PASSWORD });
      const next = await restClient(fresh.url).signup({ username: 'next', password: PASSWORD });
      expect(next.user.isAdmin).toBe(true);
    } finally {
      await fresh.close();
    }
  });
});
