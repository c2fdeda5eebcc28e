/** The most keys one query is asked for; a bigger turn is split. */
const MAX_KEYS = 1_000;

interface Waiter<V> {
  resolve(value: V): void;
  reject(err: unknown): void;
}

/**
 * Gathers keyed reads and makes them one query: those asked during one event-loop turn, and,
 * while a query is under way, all those asked until it answers (the group commit's rule; on the
 * embedded engine, which runs one query at a time, identifies rarely share a turn). A reconnect
 * storm's `ready`s cost one query per kind of read for many identifies instead of one each. Two
 * asks for the same key in a group share one answer, which callers must not change.
 */
export class ReadBatch<K, V> {
  private waiting = new Map<K, Waiter<V>[]>();
  private scheduled = false;
  private loading = 0;

  /** `loadMany` answers for the keys it knows; the others get `missing()`. */
  constructor(
    private readonly loadMany: (keys: K[]) => Promise<Map<K, V>>,
    private readonly missing: () => V,
  ) {}

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
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.waiting.size === 0) return;
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
