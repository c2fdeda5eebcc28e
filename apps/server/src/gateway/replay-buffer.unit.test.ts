import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from './replay-buffer.js';

const fill = (buffer: ReplayBuffer, n: number) => {
  for (let i = 1; i <= n; i++) buffer.push(`e${i}`);
};

describe('ReplayBuffer', () => {
  it('numbers events from 1 and hands back those after a seq, oldest first', () => {
    const buffer = new ReplayBuffer(4);
    expect(buffer.covers(0)).toBe(true);
    expect([...buffer.after(0)]).toEqual([]);
    fill(buffer, 3);
    expect(buffer.lastSeq).toBe(3);
    expect([...buffer.after(1)]).toEqual([
      [2, 'e2'],
      [3, 'e3'],
    ]);
  });

  it('keeps only the newest `capacity` events once it wraps around', () => {
    const buffer = new ReplayBuffer(4);
    fill(buffer, 10);
    expect(buffer.oldestSeq).toBe(7);
    expect([...buffer.after(6)]).toEqual([
      [7, 'e7'],
      [8, 'e8'],
      [9, 'e9'],
      [10, 'e10'],
    ]);
    expect([...buffer.after(8)].map(([seq]) => seq)).toEqual([9, 10]);
    expect([...buffer.after(10)]).toEqual([]);
  });

  it('covers a seq only when nothing after it was dropped and it was ever sent', () => {
    const buffer = new ReplayBuffer(4);
    fill(buffer, 10);
    expect(buffer.covers(5)).toBe(false);
    expect(buffer.covers(6)).toBe(true);
    expect(buffer.covers(10)).toBe(true);
    expect(buffer.covers(11)).toBe(false);
  });
});
