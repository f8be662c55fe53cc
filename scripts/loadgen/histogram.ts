/**
 * A fixed-memory latency histogram in the manner of HdrHistogram: values (integer
 * microseconds) below 2·S are counted exactly, larger ones in S buckets per power of two, so a
 * reported percentile is within 1/S of the true sample whatever the range. With the default
 * S = 1024 (0.1 %) one histogram covering 1 µs to 71 minutes takes about 200 KB, however many
 * samples it holds: a million submits cost no more memory than ten.
 */

/** Largest value counted: 2^32 - 1 µs, about 71 minutes. Larger values are clamped. */
export const MAX_TRACKABLE_US = 0xffffffff;

export interface Percentiles {
  count: number;
  /** Milliseconds, three decimals. null when count is 0. */
  min: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export class Histogram {
  private readonly subBits: number;
  private readonly half: number;
  private readonly counts: Float64Array;
  private total = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = 0;

  /** `precisionBits` b: buckets are 1/2^b wide relative to their value (10 → 0.1 %). */
  constructor(precisionBits = 10) {
    if (!Number.isInteger(precisionBits) || precisionBits < 1 || precisionBits > 16) {
      throw new RangeError(`precisionBits must be an integer in 1..16 (got ${precisionBits})`);
    }
    this.subBits = precisionBits;
    this.half = 2 ** precisionBits;
    this.counts = new Float64Array(this.indexOf(MAX_TRACKABLE_US) + 1);
  }

  get count(): number {
    return this.total;
  }

  /** Records one value in microseconds (rounded, clamped to 0..MAX_TRACKABLE_US). */
  record(valueUs: number): void {
    const v = valueUs <= 0 ? 0 : valueUs >= MAX_TRACKABLE_US ? MAX_TRACKABLE_US : Math.round(valueUs);
    this.counts[this.indexOf(v)]! += 1;
    this.total++;
    this.sum += v;
    if (v < this.minValue) this.minValue = v;
    if (v > this.maxValue) this.maxValue = v;
  }

  reset(): void {
    if (this.total === 0) return;
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
  }

  /**
   * The value at quantile q (0..1) in µs: the highest value equivalent to the bucket holding
   * the ceil(q·count)-th smallest sample, never above the exact maximum. NaN when empty.
   */
  valueAt(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.highestEquivalent(i), this.maxValue);
    }
    return this.maxValue;
  }

  /** Several quantiles in one pass over the buckets; `qs` ascending. */
  valuesAt(qs: readonly number[]): number[] {
    const out: number[] = new Array<number>(qs.length).fill(Number.NaN);
    if (this.total === 0) return out;
    let k = 0;
    let seen = 0;
    for (let i = 0; i < this.counts.length && k < qs.length; i++) {
      seen += this.counts[i]!;
      while (k < qs.length && seen >= Math.max(1, Math.ceil(qs[k]! * this.total))) {
        out[k++] = Math.min(this.highestEquivalent(i), this.maxValue);
      }
    }
    while (k < qs.length) out[k++] = this.maxValue;
    return out;
  }

  /** count, min, mean, p50, p95, p99, max, in milliseconds. */
  percentiles(): Percentiles {
    if (this.total === 0) return { count: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null };
    const [p50, p95, p99] = this.valuesAt([0.5, 0.95, 0.99]) as [number, number, number];
    return {
      count: this.total,
      min: toMs(this.minValue),
      mean: toMs(this.sum / this.total),
      p50: toMs(p50),
      p95: toMs(p95),
      p99: toMs(p99),
      max: toMs(this.maxValue),
    };
  }

  private indexOf(v: number): number {
    if (v < 2 * this.half) return v;
    // Magnitude: v >> shift lands in [half, 2·half).
    const shift = 31 - Math.clz32(v) - this.subBits;
    return this.half * (shift + 1) + (Math.floor(v / 2 ** shift) - this.half);
  }

  private highestEquivalent(index: number): number {
    if (index < 2 * this.half) return index;
    const shift = Math.floor(index / this.half) - 1;
    const sub = (index % this.half) + this.half;
    return (sub + 1) * 2 ** shift - 1;
  }
}

function toMs(us: number): number {
  return Math.round(us) / 1000;
}
