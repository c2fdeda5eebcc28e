import { describe, expect, it } from 'vitest';
import { type QueryObserver, timeQueries } from './query-timing.js';

/** A driver-shaped object: promise answers, or a callback as the last argument (pg's pool). */
class FakeDriver {
  calls: unknown[][] = [];
  query(...args: unknown[]): unknown {
    this.calls.push(args);
    const callback = args[args.length - 1];
    if (typeof callback === 'function') {
      setImmediate(() => callback(null, { rows: ['cb'] }));
      return undefined;
    }
    return args[0] === 'fail' ? Promise.reject(new Error('boom')) : Promise.resolve({ rows: [args[0]] });
  }
}

function timed(observer: QueryObserver | undefined) {
  const driver = new FakeDriver();
  timeQueries(driver, () => observer);
  return driver;
}

describe('timeQueries', () => {
  it('reports each promise query once it settles, and answers what the driver answered', async () => {
    const seen: number[] = [];
    const driver = timed((s) => seen.push(s));
    expect(await driver.query('select 1', [])).toEqual({ rows: ['select 1'] });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(0);
    await expect(driver.query('fail')).rejects.toThrow('boom');
    expect(seen).toHaveLength(2);
    expect(driver.calls.map((c) => c[0])).toEqual(['select 1', 'fail']);
  });

  it('reports a callback query when its callback runs, and hands the callback the results', async () => {
    const seen: number[] = [];
    const driver = timed((s) => seen.push(s));
    const result = await new Promise((resolve) =>
      driver.query('select 2', [], (_err: unknown, res: unknown) => resolve(res)),
    );
    expect(result).toEqual({ rows: ['cb'] });
    expect(seen).toHaveLength(1);
  });

  it('measures nothing without an observer', async () => {
    const driver = timed(undefined);
    expect(await driver.query('select 3')).toEqual({ rows: ['select 3'] });
  });
});
