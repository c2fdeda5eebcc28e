import { describe, expect, it } from 'vitest';
import { ID_EPOCH_MS, IdGenerator, idTimestamp } from './ids.js';

describe('IdGenerator', () => {
  it('packs time, worker and sequence so that ids sort by creation time', () => {
    let now = ID_EPOCH_MS + 1_000;
    const gen = new IdGenerator(5, () => now);
    const a = gen.next();
    const b = gen.next();
    now += 1;
    const c = gen.next();
    expect(a).toBe((1_000n << 22n) | (5n << 12n));
    expect(b).toBe(a + 1n);
    expect(c > b).toBe(true);
    expect(idTimestamp(c).getTime()).toBe(now);
  });

  it('never goes backwards when the clock does', () => {
    let now = ID_EPOCH_MS + 10_000;
    const gen = new IdGenerator(0, () => now);
    const before = gen.next();
    now -= 5_000;
    const after = gen.next();
    expect(after > before).toBe(true);
  });

  it('borrows the next millisecond when 4096 ids are asked for in one', () => {
    const gen = new IdGenerator(1, () => ID_EPOCH_MS + 1);
    const ids = Array.from({ length: 5_000 }, () => gen.next());
    expect(new Set(ids).size).toBe(5_000);
    for (let i = 1; i < ids.length; i++) expect((ids[i] as bigint) > (ids[i - 1] as bigint)).toBe(true);
  });

  it('keeps the ids of two workers apart in the same millisecond', () => {
    const a = new IdGenerator(1, () => ID_EPOCH_MS + 7).next();
    const b = new IdGenerator(2, () => ID_EPOCH_MS + 7).next();
    expect(a).not.toBe(b);
  });

  it('refuses worker ids outside 0..1023', () => {
    expect(() => new IdGenerator(1024)).toThrow(RangeError);
    expect(() => new IdGenerator(-1)).toThrow(RangeError);
  });

  it('gives decimal strings that fit a signed 64-bit integer', () => {
    const id = new IdGenerator(1023).nextString();
    expect(id).toMatch(/^[1-9][0-9]{0,18}$/);
    expect(BigInt(id) < 2n ** 63n).toBe(true);
  });

  it('tells its own ids from those of another worker or an earlier process on its worker id', () => {
    let now = ID_EPOCH_MS + 1_000;
    const earlier = new IdGenerator(5, () => now).next();
    now += 10;
    const gen = new IdGenerator(5, () => now);
    const other = new IdGenerator(6, () => now).next();
    expect(gen.mayHaveMade(gen.next())).toBe(true);
    expect(gen.mayHaveMade(other)).toBe(false);
    expect(gen.mayHaveMade(earlier)).toBe(false);
  });
});
