import { ApiError, RestClient } from '@decentra/client';
import type { Server } from '@decentra/protocol';
import { expect } from 'vitest';

/** A user of the test server, with the SDK's REST client logged in as them (answers validated). */
export interface Person {
  id: string;
  username: string;
  token: string;
  rest: RestClient;
}

export const PASSWORD = 'password123';

/** The SDK's client against the test server; every answer is checked against the contract. */
export function restClient(baseUrl: string, token?: string): RestClient {
  return new RestClient({ baseUrl, validate: true, ...(token === undefined ? {} : { token }) });
}

/**
 * Signs up `names` in order through the SDK: on an empty instance the first becomes admin and
 * invites the rest; otherwise `inviter` invites everyone.
 */
export async function people<const T extends readonly string[]>(
  baseUrl: string,
  names: T,
  inviter?: Person,
): Promise<{ [K in keyof T]: Person }> {
  const made: Person[] = [];
  for (const username of names) {
    const by = inviter ?? made[0];
    const inviteCode = by ? (await by.rest.createInvite()).code : undefined;
    const rest = restClient(baseUrl);
    const { token, user } = await rest.signup({
      username,
      password: PASSWORD,
      ...(inviteCode === undefined ? {} : { inviteCode }),
    });
    made.push({ id: user.id, username: user.username, token, rest });
  }
  return made as { [K in keyof T]: Person };
}

/** A server owned by `owner`, and every one of `members` joined with a code of their own. */
export async function serverWith(owner: Person, name: string, members: Person[] = []): Promise<Server> {
  const server = await owner.rest.createServer({ name });
  await joinAll(server, owner, members);
  return server;
}

export async function joinAll(server: Server, owner: Person, members: Person[]): Promise<void> {
  for (const member of members) {
    const { code } = await owner.rest.createServerInvite({ serverId: server.id });
    await member.rest.joinServer({ inviteCode: code });
  }
}

export async function befriend(a: Person, b: Person): Promise<void> {
  const request = await a.rest.sendFriendRequest({ username: b.username });
  await b.rest.acceptFriendRequest({ requestId: request.id });
}

export function textChannelOf(server: Server): string {
  const channel = server.channels.find((c) => c.type === 'text');
  if (!channel) throw new Error('server has no text channel');
  return channel.id;
}

export function voiceChannelOf(server: Server): string {
  const channel = server.channels.find((c) => c.type === 'voice');
  if (!channel) throw new Error('server has no voice channel');
  return channel.id;
}

/** The refusal a call ends in; the test fails if the call succeeds or fails otherwise. */
export async function refused(call: Promise<unknown>): Promise<ApiError> {
  const outcome = await call.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  if (outcome.ok) expect.fail(`expected a refusal, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.err).toBeInstanceOf(ApiError);
  return outcome.err as ApiError;
}
