import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type Person, refused, restClient, serverWith } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { writeInstanceSetting } from './admin.repo.js';

let server: TestServer;
let admin: Person;

const signup = (username: string, inviteCode?: string) =>
  restClient(server.url).signup({
    username,
    password: PASSWORD,
    ...(inviteCode === undefined ? {} : { inviteCode }),
  });

async function setMode(registration: 'invite' | 'open' | 'closed'): Promise<void> {
  await admin.rest.putAdminSettings({ instance: { name: 'Decentra', registration } });
}

const names = async () => (await admin.rest.adminListUsers({ limit: 100 })).map((u) => u.username);

beforeAll(async () => {
  server = await startTestServer();
  // A fresh instance whose settings already say closed (as a restore of old settings could).
  await writeInstanceSetting(
    server.app.storage.db,
    'instance',
    { name: 'Decentra', registration: 'closed' },
    new Date(),
  );
});
afterAll(async () => {
  await server.close();
});

describe('registration', () => {
  it('lets the very first account in, even when closed; it becomes the admin', async () => {
    expect(await restClient(server.url).getInstance()).toMatchObject({
      registration: 'closed',
      needsSetup: true,
    });
    const { token, user } = await signup('founder');
    expect(user.isAdmin).toBe(true);
    admin = { id: user.id, username: user.username, token, rest: restClient(server.url, token) };
    expect((await restClient(server.url).getInstance()).needsSetup).toBe(false);
  });

  it('closed: refuses everyone else, with or without a code, and spends nothing', async () => {
    const { code } = await admin.rest.createInvite();
    for (const attempt of [() => signup('stranger'), () => signup('invited', code)]) {
      const err = await refused(attempt());
      expect(err.status).toBe(403);
      expect(err.reason).toBe('registration_closed');
    }
    expect(await names()).toEqual(['founder']);
    expect((await admin.rest.adminListInvites()).map((i) => i.code)).toContain(code);
    // The code still works once registration opens to invites again.
    await setMode('invite');
    expect((await signup('invited', code)).user.isAdmin).toBe(false);
  });

  it('invite: a code is needed', async () => {
    const err = await refused(signup('nocode'));
    expect(err.status).toBe(403);
    expect(err.reason).toBe('invite_required');
    expect(await names()).not.toContain('nocode');
  });

  it('open: anyone signs up without a code, as a regular user; a code given is still redeemed', async () => {
    await setMode('open');
    expect((await restClient(server.url).getInstance()).registration).toBe('open');
    expect((await signup('walkin')).user.isAdmin).toBe(false);
    const club = await serverWith(admin, 'Club');
    const invite = await admin.rest.createServerInvite({ serverId: club.id });
    const { token } = await signup('clubber', invite.code);
    expect((await restClient(server.url, token).listServers()).map((s) => s.id)).toEqual([club.id]);
    // A used code is still refused: given, it must be good.
    const err = await refused(signup('reuser', invite.code));
    expect(err.reason).toBe('used');
    const unknown = await refused(signup('guesser', 'no-such-code'));
    expect(unknown.reason).toBe('unknown_code');
    expect(await names()).toEqual(['clubber', 'founder', 'invited', 'walkin']);
  });
});
