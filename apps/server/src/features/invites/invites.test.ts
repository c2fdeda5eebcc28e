import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, type Person, people, refused, restClient } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { executeRows } from '../../storage/db.js';
import { MAX_OPEN_SIGNUP_INVITES } from './invites.service.js';

let server: TestServer;
let ann: Person;
let ben: Person;
let cat: Person;

beforeAll(async () => {
  server = await startTestServer();
  [ann, ben, cat] = await people(server.url, ['ann', 'ben', 'cat']);
});
afterAll(() => server.close());

describe('signup invites', () => {
  it('are single-use codes any member can make', async () => {
    const { code } = await ben.rest.createInvite();
    expect(code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await refused(restClient(server.url).createInvite())).status).toBe(401);
  });

  it(`are capped at ${MAX_OPEN_SIGNUP_INVITES} unused per person; using one frees a slot`, async () => {
    const codes: string[] = [];
    for (let i = 0; i < MAX_OPEN_SIGNUP_INVITES; i++) codes.push((await ann.rest.createInvite()).code);
    const over = await refused(ann.rest.createInvite());
    expect(over).toMatchObject({
      status: 403,
      code: 'forbidden',
      reason: 'invite_limit',
      details: { limit: MAX_OPEN_SIGNUP_INVITES },
    });
    await restClient(server.url).signup({ username: 'joiner', password: PASSWORD, inviteCode: codes[0] });
    expect((await ann.rest.createInvite()).code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // Someone else's allowance is their own.
    expect((await ben.rest.createInvite()).code).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it(`hold the cap exactly under 100 requests at once: ${MAX_OPEN_SIGNUP_INVITES} made, the rest invite_limit`, async () => {
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => cat.rest.createInvite()));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_OPEN_SIGNUP_INVITES);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 403, reason: 'invite_limit' });
    }
    const [row] = await executeRows<{ n: number }>(
      server.app.storage.db,
      sql`select count(*)::int as n from invites where created_by = ${cat.id}::bigint`,
    );
    expect(Number(row?.n)).toBe(MAX_OPEN_SIGNUP_INVITES);
  });
});
