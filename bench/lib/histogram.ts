/** Latency histogram: 0.1 ms buckets up to 10 s (the last bucket holds everything slower). */
const BUCKETS = 100_001;

export class Histogram {
  readonly counts = new Uint32Array(BUCKETS);
  total = 0;

  record(ms: number): void {
    const b = ms <= 0 ? 0 : Math.min(BUCKETS - 1, Math.floor(ms * 10));
    this.counts[b] = (this.counts[b] ?? 0) + 1;
    this.total++;
  }

  /** Non-empty buckets as [bucket, count] pairs (compact for IPC). */
  sparse(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]) out.push([i, this.counts[i] as number]);
    return out;
  }

  add(sparse: [number, number][]): void {
    for (const [b, n] of sparse) {
      this.counts[b] = (this.counts[b] ?? 0) + n;
      this.total += n;
    }
  }

  /** The q-quantile in ms (upper edge of its bucket); NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return (i + 1) / 10;
    }
    return BUCKETS / 10;
  }
}

export function quantileOf(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
