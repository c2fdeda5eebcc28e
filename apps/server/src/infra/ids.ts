/**
 * 64-bit time-ordered ids: 42 bits of milliseconds since 2025-01-01, 10 bits of worker id,
 * 12 bits of sequence. Sorting ids sorts by creation time; they travel as decimal strings.
 */
export const ID_EPOCH_MS = Date.UTC(2025, 0, 1);
export const MAX_WORKER_ID = 1023;
const MAX_SEQUENCE = 4095;

export class IdGenerator {
  private lastMs = 0;
  private sequence = 0;
  private readonly createdMs: number;

  constructor(
    readonly workerId: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(workerId) || workerId < 0 || workerId > MAX_WORKER_ID) {
      throw new RangeError(`worker id must be an integer from 0 to ${MAX_WORKER_ID}`);
    }
    this.createdMs = now();
  }

  /**
   * Whether `id` may have been given out by this generator (its worker id, not older than it):
   * false for ids made by another instance, or by an earlier process on the same worker id.
   */
  mayHaveMade(id: bigint): boolean {
    const worker = Number((id >> 12n) & BigInt(MAX_WORKER_ID));
    return worker === this.workerId && Number(id >> 22n) + ID_EPOCH_MS >= this.createdMs;
  }

  next(): bigint {
    // A clock that steps backwards must never produce an id lower than one already given out,
    // so time only moves forward here; a full sequence borrows the next millisecond.
    const ms = Math.max(this.now(), this.lastMs);
    if (ms === this.lastMs) {
      this.sequence += 1;
      if (this.sequence > MAX_SEQUENCE) {
        this.sequence = 0;
        this.lastMs += 1;
      }
    } else {
      this.sequence = 0;
      this.lastMs = ms;
    }
    return (
      (BigInt(this.lastMs - ID_EPOCH_MS) << 22n) | (BigInt(this.workerId) << 12n) | BigInt(this.sequence)
    );
  }

  nextString(): string {
    return this.next().toString();
  }
}

export function idTimestamp(id: bigint | string): Date {
  return new Date(Number(BigInt(id) >> 22n) + ID_EPOCH_MS);
}
