import { UsernameSchema } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type Person, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

let server: TestServer;
let alice: Person;

const visitor = () => restClient(server.url);

beforeAll(async () => {
  server = await startTestServer();
  [, alice] = await people(server.url, ['admin', 'alice']);
});
afterAll(() => server.close());

describe('signup names with invisible characters', () => {
  let clean = 0;
  const invisible: Array<[string, string]> = [
    ['\u200b\u200b', 'zero-width spaces only'],
    ['\u3164\u3164', 'Hangul fillers only'],
    ['\u202enimda', 'a right-to-left override (reads as "admin")'],
    ['\u2066ann\u2069', 'bidi isolates'],
    ['ad\u200dmin', 'a zero-width joiner'],
    ['\ufeffbob', 'a byte-order mark'],
    ['x\u00ady', 'a soft hyphen'],
    ['ab\ufe0f', 'a variation selector'],
    ['a\u034fb', 'a combining grapheme joiner'],
  ];

  it.each(invisible)('%j (%s) is invalid_input on username, and makes nothing', async (username) => {
    const { code } = await alice.rest.createInvite();
    const err = await refused(visitor().signup({ username, password: PASSWORD, inviteCode: code }));
    expect(err).toMatchObject({ status: 400, code: 'invalid_input' });
    const issues = (err.details as { issues?: Array<{ path: string; message: string }> }).issues ?? [];
    expect(issues[0]).toEqual({ path: 'username', message: expect.stringMatching(/invisible/) });
    // The code was not spent: it still makes an account.
    const made = await visitor().signup({
      username: `clean${++clean}`,
      password: PASSWORD,
      inviteCode: code,
    });
    expect(made.user.isAdmin).toBe(false);
  });

  it('is the protocol schema’s rule, so clients can check a name as it is typed', () => {
    for (const [name] of invisible) expect(UsernameSchema.safeParse(name).success).toBe(false);
    expect(UsernameSchema.safeParse('fine_name').success).toBe(true);
  });
});
