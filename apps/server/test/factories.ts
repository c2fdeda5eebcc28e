import type { Message, Server } from '@decentra/protocol';
import { expect } from 'vitest';
import type { Api } from './http.js';

export interface TestUser {
  token: string;
  id: string;
  username: string;
}

/** Signs up `names` in order: the first (if the instance is empty) becomes admin, the rest use invites. */
export async function makeUsers<const T extends readonly string[]>(
  http: Api,
  names: T,
  inviter?: TestUser,
): Promise<{ [K in keyof T]: TestUser }> {
  const made: TestUser[] = [];
  for (const username of names) {
    const by = inviter ?? made[0];
    let inviteCode: string | undefined;
    if (by) {
      const invite = await http.post<{ code: string }>('/api/invites', undefined, { token: by.token });
      inviteCode = invite.body.code;
    }
    const res = await http.post<{ token: string; user: { id: string; username: string } }>(
      '/api/auth/signup',
      {
        username,
        password: 'password123',
        ...(inviteCode ? { inviteCode } : {}),
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    made.push({ token: res.body.token, id: res.body.user.id, username: res.body.user.username });
  }
  return made as { [K in keyof T]: TestUser };
}

export async function makeServer(http: Api, owner: TestUser, name = 'Test server'): Promise<Server> {
  const res = await http.post<Server>('/api/servers', { name }, { token: owner.token });
  expect(res.status).toBe(201);
  return res.body;
}

/** Makes a server invite as `owner` and has each of `users` join with its own code. */
export async function joinServer(
  http: Api,
  server: Server,
  owner: TestUser,
  users: TestUser[],
): Promise<void> {
  for (const user of users) {
    const invite = await http.post<{ code: string }>(
      `/api/servers/${server.id}/invites`,
      {},
      { token: owner.token },
    );
    expect(invite.status).toBe(201);
    const res = await http.post('/api/servers/join', { inviteCode: invite.body.code }, { token: user.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

export function textChannel(server: Server): string {
  const channel = server.channels.find((c) => c.type === 'text');
  if (!channel) throw new Error('server has no text channel');
  return channel.id;
}

export async function send(http: Api, user: TestUser, channelId: string, content: string, nonce?: string) {
  return http.post<Message>(
    `/api/channels/${channelId}/messages`,
    { content, ...(nonce ? { nonce } : {}) },
    { token: user.token },
  );
}
