import { type Clock, systemClock } from './clock.js';

/** The most keys one query is asked for; a bigger turn is split. */
const MAX_KEYS = 1_000;
/** A batch that flushed this recently is under load: with `gatherMs`, its next one gathers. */
const HOT_MS = 20;

export interface ReadBatchOptions {
  /**
   * For an engine that runs each query on the event loop (the embedded one in the server's
   * thread): under load a batch waits this long before it flushes, rather than one turn. Node
   * (libuv) accepts one connection per event-loop turn, and a turn that runs the engine's
   * statements lets one socket in: in a reconnect storm each batch held one identify. Waiting a
   * few ms lets the short turns that accept sockets and read their identifies run first.
   */
  gatherMs: number;
  clock?: Clock;
}

interface Waiter<V> {
  resolve(value: V): void;
  reject(err: unknown): void;
}

/**
 * Gathers keyed reads and makes them one query: those asked during one event-loop turn, and,
 * while a query is under way, all those asked until it answers (the group commit's rule), and on
 * an engine that runs on the event loop, those asked within `gatherMs` under load. A reconnect
 * storm's `ready`s cost one query per kind of read for many identifies instead of one each. Two
 * asks for the same key in a group share one answer, which callers must not change.
 */
export class ReadBatch<K, V> {
  private waiting = new Map<K, Waiter<V>[]>();
  private scheduled = false;
  private loading = 0;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private readonly clock: Clock;

  /** `loadMany` answers for the keys it knows; the others get `missing()`. */
  constructor(
    private readonly loadMany: (keys: K[]) => Promise<Map<K, V>>,
    private readonly missing: () => V,
    private readonly options?: ReadBatchOptions,
  ) {
    this.clock = options?.clock ?? systemClock;
  }

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      if (!this.scheduled && this.loading === 0) this.schedule();
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
    });
  }

  private schedule(): void {
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.options && this.clock.now() - this.lastFlushAt < HOT_MS)
      this.clock.setTimeout(go, this.options.gatherMs);
    else setImmediate(go);
  }

  private flush(): void {
    if (this.waiting.size === 0) return;
    this.lastFlushAt = this.clock.now();
    const batch = this.waiting;
    this.waiting = new Map();
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += MAX_KEYS) {
      const chunk = keys.slice(i, i + MAX_KEYS);
      this.loading++;
      const done = () => {
        this.loading--;
        if (this.loading === 0 && this.waiting.size > 0 && !this.scheduled) this.schedule();
      };
      this.loadMany(chunk).then(
        (found) => {
          for (const key of chunk) {
            const value = found.has(key) ? (found.get(key) as V) : this.missing();
            for (const w of batch.get(key) ?? []) w.resolve(value);
          }
          done();
        },
        (err: unknown) => {
          for (const key of chunk) for (const w of batch.get(key) ?? []) w.reject(err);
          done();
        },
      );
    }
  }
}

/** Groups rows by a key, keeping their order within each group. */
export function groupBy<K, R>(rows: readonly R[], keyOf: (row: R) => K): Map<K, R[]> {
  const out = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = out.get(key);
    if (list) list.push(row);
    else out.set(key, [row]);
  }
  return out;
}
