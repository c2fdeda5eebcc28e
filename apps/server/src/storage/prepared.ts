import type { Db } from './db.js';

/**
 * Statements built once per database handle instead of at every call: the hot reads (a history
 * page, its reactions and files) spent about a fifth of their CPU in Drizzle assembling the same
 * SQL text again (bench/RESULTS.md, "History over HTTP"). `make` returns Drizzle prepared queries
 * (`.prepare(name)`: on PostgreSQL also a named statement, parsed and planned once per connection).
 * Keyed by the handle, so a transaction's handle gets its own and a closed database's go with it.
 */
export function preparedPerDb<T extends object>(make: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let statements = made.get(db);
    if (statements === undefined) {
      statements = make(db);
      made.set(db, statements);
    }
    return statements;
  };
}
