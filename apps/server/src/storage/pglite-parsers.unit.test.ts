import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropQueryParsers, keepDrizzleTextTypes } from './pglite-parsers.js';

type Parser = (value: string) => unknown;

describe("the embedded database holds Drizzle's parsers itself", () => {
  let client: PGlite;
  /** What Drizzle asked for with its last query, and what PGlite was then given. */
  let asked: Record<string, Parser> | undefined;
  let given: object | undefined;

  const record = (onCall: (options: { parsers?: Record<string, Parser> }) => void) => {
    const query = client.query.bind(client);
    Reflect.set(
      client,
      'query',
      (text: string, params: unknown[], options: { parsers?: Record<string, Parser> }) => {
        onCall(options ?? {});
        return query(text, params, options);
      },
    );
  };

  beforeAll(async () => {
    client = await PGlite.create();
    keepDrizzleTextTypes(client);
    record((options) => {
      given = options;
    });
    dropQueryParsers(client);
    record((options) => {
      asked = options.parsers;
    });
  });
  afterAll(() => client.close());

  it('so every type Drizzle keeps as text comes back as text with no parsers in the query', async () => {
    const db = drizzle({ client });
    await db.execute(sql`select 1`);
    expect(asked && Object.keys(asked).length).toBeGreaterThan(0);
    expect(given).toEqual({ rowMode: 'object' });
    for (const [type, parse] of Object.entries(asked ?? {})) {
      const own = client.parsers[Number(type)];
      expect(own?.('2026-12-04 18:00:00', Number(type)), `type ${type}`).toBe(parse('2026-12-04 18:00:00'));
    }
    const [row] = (
      await db.execute<{ at: unknown; span: unknown; day: unknown; ats: unknown; n: unknown }>(
        sql`select timestamptz '2026-12-04 18:00:00+00' as at, interval '90 minutes' as span,
            date '2026-12-04' as day, array[timestamp '2026-12-04 18:00:00'] as ats, 42::int as n`,
      )
    ).rows;
    expect(row).toEqual({
      at: '2026-12-04 18:00:00+00',
      span: '01:30:00',
      day: '2026-12-04',
      ats: '{"2026-12-04 18:00:00"}',
      n: 42,
    });
  });
});
