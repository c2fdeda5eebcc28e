import type { Db } from './db.js';

/**
 * Statements made once per database handle, for the reads a client asks for most: PostgreSQL
 * parses a named statement once per connection and caches its plan, where an unnamed one is
 * planned on every call (for history's page, longer than running it). Values go in as text:
 * ids are bigints, and both drivers take their decimal form.
 */
export function preparedPerDb<T>(prepare: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    const cached = made.get(db);
    if (cached !== undefined) return cached;
    const statements = prepare(db);
    made.set(db, statements);
    return statements;
  };
}
