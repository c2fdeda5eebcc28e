import { type PGlite, types } from '@electric-sql/pglite';

const keepText = (value: string): string => value;

/**
 * The types Drizzle's PGlite driver keeps as text (dates, times, intervals and their arrays, and
 * numeric[]): it asks for them with every query, as its `parsers` option.
 */
const TEXT_TYPES = [
  types.TIMESTAMP,
  types.TIMESTAMPTZ,
  types.INTERVAL,
  types.DATE,
  1231,
  1115,
  1185,
  1187,
  1182,
];

/** Drizzle's per-query `parsers` option, as its PGlite driver passes it (bench:embedded-query). */
export const DRIZZLE_TEXT_PARSERS: Record<number, (value: string) => string> = Object.fromEntries(
  TEXT_TYPES.map((type) => [type, keepText]),
);

/**
 * Gives the database itself Drizzle's parsers, so no query needs to carry them. PGlite merges a
 * query's `parsers` into a copy of its own ~320 (one per type and array type) on every call:
 * ~0.2 ms a query, more than a short statement's own time. Run after `PGlite.create` (which
 * sets the array types' parsers, these included).
 */
export function keepDrizzleTextTypes(db: Pick<PGlite, 'parsers'>): void {
  Object.assign(db.parsers, DRIZZLE_TEXT_PARSERS);
}

/** Makes `target.query` drop the per-query `parsers` Drizzle passes (see keepDrizzleTextTypes). */
export function dropQueryParsers(target: object): void {
  const original: unknown = Reflect.get(target, 'query');
  if (typeof original !== 'function') return;
  Object.defineProperty(target, 'query', {
    configurable: true,
    writable: true,
    value(this: unknown, sql: unknown, params: unknown, options: unknown): unknown {
      if (typeof options === 'object' && options !== null && 'parsers' in options) {
        const { parsers: _, ...rest } = options;
        return Reflect.apply(original, this, [sql, params, rest]);
      }
      return Reflect.apply(original, this, [sql, params, options]);
    },
  });
}
