/** Told how long each database query took, in seconds (the metrics' histogram). */
export type QueryObserver = (seconds: number) => void;

/**
 * Makes `target.query` report each call's duration to whatever `observer()` answers then (none:
 * nothing is measured but the two clock reads). Both drivers' shapes: a promise answered (PGlite,
 * pg without a callback), or a callback as the last argument (pg's pool calls its clients so).
 * The caller gets exactly what the driver answers, rejections included.
 */
export function timeQueries(target: object, observer: () => QueryObserver | undefined): void {
  const original: unknown = Reflect.get(target, 'query');
  if (typeof original !== 'function') return;
  Object.defineProperty(target, 'query', {
    configurable: true,
    writable: true,
    value(this: unknown, ...args: unknown[]): unknown {
      const observe = observer();
      if (!observe) return Reflect.apply(original, this, args);
      const start = performance.now();
      const done = () => observe((performance.now() - start) / 1000);
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (...results: unknown[]): unknown => {
          done();
          return Reflect.apply(callback, undefined, results);
        };
        return Reflect.apply(original, this, args);
      }
      const result: unknown = Reflect.apply(original, this, args);
      if (result instanceof Promise) result.then(done, done);
      return result;
    },
  });
}
