/**
 * The last `capacity` events of one gateway session, numbered by seq, for resume. Holds the
 * once-encoded `{"t":…,"d":…}` strings, which the other sessions of the same fan-out share, so a
 * slot costs a pointer. Grows on demand up to its capacity, then overwrites the oldest slot.
 */
export class ReplayBuffer {
  private readonly items: string[] = [];
  /** Where the oldest item sits once the buffer is full (0 until then). */
  private head = 0;
  /** The seq of the newest event ever pushed (0: none yet). */
  lastSeq = 0;

  constructor(private readonly capacity: number) {}

  /** Numbers the event with the next seq and keeps it; returns that seq. */
  push(encodedTD: string): number {
    this.lastSeq += 1;
    if (this.items.length < this.capacity) {
      this.items.push(encodedTD);
    } else {
      this.items[this.head] = encodedTD;
      this.head = (this.head + 1) % this.capacity;
    }
    return this.lastSeq;
  }

  /** The seq of the oldest event still held (lastSeq + 1 when empty). */
  get oldestSeq(): number {
    return this.lastSeq - this.items.length + 1;
  }

  /** True when every event after `seq` is still here (and `seq` was ever sent). */
  covers(seq: number): boolean {
    return seq <= this.lastSeq && seq >= this.oldestSeq - 1;
  }

  /** Every held event after `seq`, oldest first, as `[seq, encodedTD]`. */
  *after(seq: number): Generator<[number, string]> {
    const from = Math.max(seq + 1, this.oldestSeq);
    for (let s = from; s <= this.lastSeq; s++) {
      const index = (this.head + (s - this.oldestSeq)) % this.items.length;
      yield [s, this.items[index] as string];
    }
  }
}
