import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/manual-clock.js';
import { ReadBatch } from './read-batch.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A batch over "the double of each key", recording the keys of each query it makes. */
function doubling(options?: ConstructorParameters<typeof ReadBatch<number, number>>[2]) {
  const queries: number[][] = [];
  const batch = new ReadBatch<number, number>(
    async (keys) => {
      queries.push(keys);
      return new Map(keys.map((k) => [k, k * 2]));
    },
    () => -1,
    options,
  );
  return { batch, queries };
}

describe('keyed reads gathered into one query', () => {
  it('makes one query of the reads asked in one turn, and answers each its own', async () => {
    const { batch, queries } = doubling();
    expect(await Promise.all([batch.load(1), batch.load(2), batch.load(2)])).toEqual([2, 4, 4]);
    expect(queries).toEqual([[1, 2]]);
    // A later turn, nothing under way: a query of its own.
    expect(await batch.load(3)).toBe(6);
    expect(queries).toEqual([[1, 2], [3]]);
  });

  it('under load on an engine on the event loop, gathers the reads of the next few ms into one query', async () => {
    const clock = new ManualClock();
    const { batch, queries } = doubling({ gatherMs: 2, clock });
    // Quiet: the first read goes at the next turn, as without the option.
    expect(await batch.load(1)).toBe(2);
    expect(queries).toEqual([[1]]);
    // It just flushed: the next reads wait for the clock, whatever turns pass meanwhile.
    const answers = [batch.load(2)];
    await nextTurn();
    answers.push(batch.load(3));
    await nextTurn();
    answers.push(batch.load(4));
    await nextTurn();
    expect(queries).toEqual([[1]]);
    clock.advance(2);
    expect(await Promise.all(answers)).toEqual([4, 6, 8]);
    expect(queries).toEqual([[1], [2, 3, 4]]);
    // Quiet again once nothing flushed for a while: the next read goes at the next turn.
    clock.advance(50);
    expect(await batch.load(5)).toBe(10);
    expect(queries).toEqual([[1], [2, 3, 4], [5]]);
  });
});
