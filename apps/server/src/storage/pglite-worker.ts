import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { assertDurable, DURABLE_START_PARAMS, DurableNodeFS } from './durable-pglite.js';
import { keepDrizzleTextTypes } from './pglite-parsers.js';
import type { PgliteThreadInit, ThreadError, ThreadReply, ThreadRequest } from './pglite-thread-messages.js';

/**
 * The embedded database's own thread: PGlite (PostgreSQL compiled to WebAssembly) runs every
 * statement synchronously on the thread that calls it, so here it no longer holds the server's
 * event loop. Answers pglite-thread.ts's requests; see pglite-thread-messages.ts.
 */

function threadPort(): MessagePort {
  if (!parentPort) throw new Error('pglite-worker.ts runs as a worker thread');
  return parentPort;
}
const port = threadPort();

const init: PgliteThreadInit = workerData;
const send = (reply: ThreadReply) => port.postMessage(reply);

function describe(err: unknown): ThreadError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: ThreadError['fields'] = {};
  for (const [key, value] of Object.entries(err)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return { name: err.name, message: err.message, fields };
}

interface OpenTransaction {
  tx: Transaction;
  end: (commit: boolean) => void;
}

async function main(): Promise<void> {
  const db =
    init.path === undefined
      ? await PGlite.create({ postgresqlconf: init.postgresqlconf, pgliteWasmModule: init.wasmModule })
      : await PGlite.create({
          fs: new DurableNodeFS(init.path),
          startParams: [...DURABLE_START_PARAMS],
          postgresqlconf: init.postgresqlconf,
          pgliteWasmModule: init.wasmModule,
        });
  if (init.path !== undefined) await assertDurable(db);
  // As Drizzle's PGlite driver asks for every query: dates, times and intervals stay text.
  keepDrizzleTextTypes(db);

  const transactions = new Map<number, OpenTransaction>();
  let nextTx = 1;

  const begin = (id: number) => {
    const txId = nextTx++;
    let settled = false;
    db.transaction(
      (tx) =>
        new Promise<void>((resolve, reject) => {
          transactions.set(txId, {
            tx,
            end: (commit) => (commit ? resolve() : reject(new RollbackRequested())),
          });
          send({ t: 'done', id, value: txId });
        }),
    ).then(
      () => finish(undefined),
      (err: unknown) => finish(err),
    );
    // The answer to `end` is sent when transaction() has committed or rolled back.
    const finish = (err: unknown) => {
      const open = transactions.get(txId);
      transactions.delete(txId);
      if (settled) return;
      settled = true;
      const endId = pendingEnds.get(txId);
      pendingEnds.delete(txId);
      if (endId === undefined) {
        // transaction() failed before it began (BEGIN itself): answer the begin.
        if (!open) send({ t: 'error', id, error: describe(err) });
        return;
      }
      if (err === undefined || err instanceof RollbackRequested) send({ t: 'done', id: endId, value: null });
      else send({ t: 'error', id: endId, error: describe(err) });
    };
  };
  const pendingEnds = new Map<number, number>();

  port.on('message', (request: ThreadRequest) => {
    switch (request.t) {
      case 'query': {
        const target = request.tx === undefined ? db : transactions.get(request.tx)?.tx;
        if (!target) {
          send({ t: 'error', id: request.id, error: describe(new Error('the transaction has ended')) });
          return;
        }
        target.query(request.sql, request.params, { rowMode: request.rowMode }).then(
          (value) => send({ t: 'done', id: request.id, value }),
          (err: unknown) => send({ t: 'error', id: request.id, error: describe(err) }),
        );
        return;
      }
      case 'begin':
        begin(request.id);
        return;
      case 'end': {
        const open = transactions.get(request.tx);
        if (!open) {
          send({ t: 'error', id: request.id, error: describe(new Error('the transaction has ended')) });
          return;
        }
        pendingEnds.set(request.tx, request.id);
        open.end(request.commit);
        return;
      }
      case 'close':
        db.close().then(
          () => {
            send({ t: 'done', id: request.id, value: null });
            port.close();
          },
          (err: unknown) => send({ t: 'error', id: request.id, error: describe(err) }),
        );
        return;
    }
  });
  send({ t: 'ready' });
}

/** Thrown inside PGlite's transaction() to make it roll back. */
class RollbackRequested extends Error {}

main().catch((err: unknown) => send({ t: 'failed', error: describe(err) }));
