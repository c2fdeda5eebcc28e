import { UsernameSchema } from '@decentra/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountedPasswords } from '../../../test/passwords.js';
import { PASSWORD, type Person, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { executeRows } from '../../storage/db.js';

/**
 * One form of a name, the protocol's usernameKey, for the lookup and the throttle alike. The
 * bug it closes: the throttle lower-cased with JavaScript and the lookup with PostgreSQL's
 * lower(), which under C.UTF-8 turns `alİce` (U+0130) into `alice`, so that spelling logged
 * into alice's account with a count of its own.
 */
const passwords = new CountedPasswords();
let server: TestServer;
let alice: Person;

const visitor = () => restClient(server.url);

beforeAll(async () => {
  server = await startTestServer({ passwords, throttle: { perAccountAddress: 3 } });
  [, alice] = await people(server.url, ['admin', 'alice', 'kate', 'sam']);
});
afterAll(() => server.close());

describe('logging in by another spelling of a name', () => {
  it.each([
    ['ALICE', 'upper case'],
    ['ＡＬＩＣＥ', 'fullwidth letters'],
    ['ａｌｉｃｅ', 'fullwidth lower case'],
    ['al\u200bice', 'a zero-width space'],
    ['\u202aalice\u202c', 'bidi embedding marks'],
  ])('%j (%s) is alice', async (typed) => {
    const { user } = await visitor().login({ username: typed, password: PASSWORD });
    expect(user.id).toBe(alice.id);
  });

  it.each([
    ['\u212aate', 'kate', 'the Kelvin sign'],
    ['\u017fam', 'sam', 'the long s'],
  ])('%j is %s (%s: NFKC)', async (typed, name) => {
    const { user } = await visitor().login({ username: typed, password: PASSWORD });
    expect(user.username).toBe(name);
  });

  it.each([
    ['alİce', 'U+0130 (Turkish dotted capital I: i + U+0307 in the default lower case)'],
    ['ALİCE', 'U+0130 in upper case'],
    ['alıce', 'U+0131 (dotless i)'],
  ])('%j is not alice: %s', async (typed) => {
    const err = await refused(visitor().login({ username: typed, password: PASSWORD }));
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('counts every spelling on the one account: the limit holds across them', async () => {
    await people(server.url, ['bob'], alice);
    for (const typed of ['BOB', 'ｂｏｂ', 'b\u200bob']) {
      expect((await refused(visitor().login({ username: typed, password: 'wrong-password' }))).status).toBe(
        401,
      );
    }
    passwords.reset();
    for (const typed of ['bob', 'Bob', 'ＢＯＢ']) {
      const err = await refused(visitor().login({ username: typed, password: PASSWORD }));
      expect(err).toMatchObject({ status: 429, code: 'rate_limited' });
    }
    expect(passwords.verifications).toBe(0);
  });

  it('stores the key the lookup uses, made without the database locale', async () => {
    const rows = await executeRows<{ username: string; username_key: string }>(
      server.app.storage.db,
      sql`select username, username_key from users where username in ('alice', 'kate')`,
    );
    expect(rows.map((r) => r.username_key).sort()).toEqual(['alice', 'kate']);
    const [mixed] = await people(server.url, ['Mixed.Case_9'], alice);
    const [row] = await executeRows<{ username_key: string }>(
      server.app.storage.db,
      sql`select username_key from users where id = ${mixed.id}::bigint`,
    );
    expect(row?.username_key).toBe('mixed.case_9');
  });
});

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
