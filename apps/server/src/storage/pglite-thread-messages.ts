import type { PGliteOptions } from '@electric-sql/pglite';

/**
 * What the server's thread and the embedded database's thread say to each other
 * (pglite-thread.ts ↔ pglite-worker.ts). Values cross by structured clone: bigints, byte arrays
 * and nested rows keep their types.
 */

export interface PgliteThreadInit {
  /** The data folder's `pgdata`; undefined for a database in memory. */
  path: string | undefined;
  postgresqlconf: string[];
  /** PGlite's WebAssembly, compiled once per process and shared by every thread that opens one. */
  wasmModule: NonNullable<PGliteOptions['pgliteWasmModule']>;
}

export type ThreadRequest =
  | { t: 'query'; id: number; sql: string; params: unknown[]; rowMode: 'array' | 'object'; tx?: number }
  /** Opens a transaction; answered with its number once it holds the database. */
  | { t: 'begin'; id: number }
  /** Ends transaction `tx`: commit, or roll back; answered once it has. */
  | { t: 'end'; id: number; tx: number; commit: boolean }
  | { t: 'close'; id: number };

/** A database error's fields (SQLSTATE `code`, `constraint`, …) travel as plain properties. */
export interface ThreadError {
  name: string;
  message: string;
  fields: Record<string, string | number | undefined>;
}

export type ThreadReply =
  | { t: 'ready' }
  | { t: 'failed'; error: ThreadError }
  | { t: 'done'; id: number; value: unknown }
  | { t: 'error'; id: number; error: ThreadError };
