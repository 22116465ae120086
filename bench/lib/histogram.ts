/**
 * A latency histogram that merges across processes: 0.05 ms bins below 100 ms, 1 ms bins up to 60 s.
 * Exact enough for p50/p99 and cheap to record a million samples into.
 */
const FINE_MS = 100;
const FINE_PER_MS = 20;
const FINE_BINS = FINE_MS * FINE_PER_MS;
const COARSE_BINS = 60_000;

export type HistogramData = number[];

export class Histogram {
  readonly bins: Float64Array;
  count = 0;
  max = 0;
  constructor(data?: HistogramData) {
    this.bins = new Float64Array(FINE_BINS + COARSE_BINS);
    if (data) this.merge(data);
  }
  record(ms: number) {
    const v = ms < 0 ? 0 : ms;
    const i = v < FINE_MS ? Math.floor(v * FINE_PER_MS) : FINE_BINS + Math.min(COARSE_BINS - 1, Math.floor(v - FINE_MS));
    this.bins[i]++;
    this.count++;
    if (v > this.max) this.max = v;
  }
  /** Sparse form for IPC: [index, count, index, count, …, -1, max]. */
  toData(): HistogramData {
    const out: number[] = [];
    this.bins.forEach((n, i) => {
      if (n > 0) out.push(i, n);
    });
    out.push(-1, this.max);
    return out;
  }
  merge(data: HistogramData) {
    for (let k = 0; k < data.length; k += 2) {
      if (data[k] === -1) {
        this.max = Math.max(this.max, data[k + 1]);
        continue;
      }
      this.bins[data[k]] += data[k + 1];
      this.count += data[k + 1];
    }
  }
  /** The upper edge of the bin holding the p-th percentile (ms). */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i];
      if (seen >= rank) return i < FINE_BINS ? (i + 1) / FINE_PER_MS : FINE_MS + (i - FINE_BINS) + 1;
    }
    return this.max;
  }
}
