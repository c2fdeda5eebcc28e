import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PgliteThreadInit, ThreadError, ThreadReply, ThreadRequest } from './pglite-thread-messages.js';

/** Set by scripts/build.mjs in the production bundle, where the worker is its own built file. */
declare const __DECENTRA_BUNDLE__: boolean | undefined;

/** A query's answer, as PGlite gives it (the fields Drizzle's driver reads). */
export interface ThreadResults {
  rows: unknown[];
  affectedRows?: number;
  fields: { name: string; dataTypeID: number }[];
}

export interface QueryOptions {
  rowMode?: 'array' | 'object';
}

/** What Drizzle's PGlite driver calls on its client, and on a transaction's. */
export interface ThreadQueryable {
  query(sql: string, params?: unknown[], options?: QueryOptions): Promise<ThreadResults>;
}

export interface ThreadTransaction extends ThreadQueryable {
  readonly closed: boolean;
}

/** An error the database answered, with its fields (`code`, `constraint`, …) as PGlite's has them. */
export class EmbeddedDatabaseError extends Error {
  constructor(error: ThreadError) {
    super(error.message);
    this.name = error.name;
    Object.assign(this, error.fields);
  }
}

let compiled: Promise<WasmModule> | undefined;

/**
 * PGlite's WebAssembly, compiled once: a thread given the compiled module shares its machine code
 * (each thread compiling its own costs seconds of CPU for every database opened, as tests do).
 */
function pgliteWasm(): Promise<WasmModule> {
  compiled ??= readFile(
    fileURLToPath(new URL('pglite.wasm', import.meta.resolve('@electric-sql/pglite'))),
  ).then((bytes) => wasmApi().compile(bytes));
  return compiled;
}

type WasmModule = PgliteThreadInit['wasmModule'];

/** Node's WebAssembly global, which @types/node 20 declares only as types. */
function wasmApi(): { compile(bytes: Uint8Array): Promise<WasmModule> } {
  const api: unknown = Reflect.get(globalThis, 'WebAssembly');
  if (typeof api !== 'object' || api === null || typeof Reflect.get(api, 'compile') !== 'function') {
    throw new Error('this Node.js has no WebAssembly');
  }
  return api as { compile(bytes: Uint8Array): Promise<WasmModule> };
}

function workerUrl(): URL {
  // In the bundle, import.meta.url still names this source file (scripts/build.mjs keeps modules'
  // own locations), and the worker is built beside the bundle: apps/server/dist/pglite-worker.js.
  if (typeof __DECENTRA_BUNDLE__ !== 'undefined')
    return new URL('../../dist/pglite-worker.js', import.meta.url);
  // From the sources (tests, tsx): a plain module that teaches the thread TypeScript first.
  return new URL('./pglite-worker-from-source.mjs', import.meta.url);
}

/**
 * The embedded database in a worker thread (pglite-worker.ts), behind the calls Drizzle makes:
 * statements run there while this thread serves sockets. Requests are answered in the order the
 * database finishes them; PGlite itself runs one statement at a time, and a statement outside a
 * transaction waits for an open transaction to end, as it does in one thread.
 */
export class PgliteThread implements ThreadQueryable {
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;
  closed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: ThreadReply) => this.answer(reply));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the embedded database's thread exited (${code})`)));
  }

  static async start(options: Omit<PgliteThreadInit, 'wasmModule'>): Promise<PgliteThread> {
    const init: PgliteThreadInit = { ...options, wasmModule: await pgliteWasm() };
    const worker = new Worker(workerUrl(), { workerData: init, name: 'pglite' });
    return await new Promise((resolve, reject) => {
      const onReply = (reply: ThreadReply) => {
        if (reply.t === 'ready') {
          cleanup();
          resolve(new PgliteThread(worker));
        } else if (reply.t === 'failed') {
          cleanup();
          void worker.terminate();
          reject(new EmbeddedDatabaseError(reply.error));
        }
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the embedded database's thread exited while starting (${code})`));
      };
      const cleanup = () => {
        worker.off('message', onReply);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onReply);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  query(sql: string, params: unknown[] = [], options: QueryOptions = {}): Promise<ThreadResults> {
    return this.request({ t: 'query', id: 0, sql, params, rowMode: options.rowMode ?? 'object' });
  }

  /** Runs `callback` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(callback: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    const txId = await this.request<number>({ t: 'begin', id: 0 });
    const tx = { closed: false, query: this.txQuery(txId) };
    let result: T;
    try {
      result = await callback(tx);
    } catch (err) {
      tx.closed = true;
      await this.request({ t: 'end', id: 0, tx: txId, commit: false }).catch(() => {});
      throw err;
    }
    tx.closed = true;
    await this.request({ t: 'end', id: 0, tx: txId, commit: true });
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.request({ t: 'close', id: 0 });
    this.closed = true;
    await this.worker.terminate();
  }

  private txQuery(txId: number) {
    return (sql: string, params: unknown[] = [], options: QueryOptions = {}) =>
      this.request<ThreadResults>({
        t: 'query',
        id: 0,
        sql,
        params,
        rowMode: options.rowMode ?? 'object',
        tx: txId,
      });
  }

  private request<T>(message: ThreadRequest): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: (v) => resolve(v as T), reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  private answer(reply: ThreadReply): void {
    if (reply.t !== 'done' && reply.t !== 'error') return;
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (reply.t === 'done') waiter.resolve(reply.value);
    else waiter.reject(new EmbeddedDatabaseError(reply.error));
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.failure ??= err;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
