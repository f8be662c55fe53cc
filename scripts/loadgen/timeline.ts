/**
 * Per-second series for the report: counts per second, and latency percentiles of each second.
 * Only the current second keeps a histogram; when time moves on it is reduced to three numbers
 * and reused, so an hour-long soak costs a few hundred kilobytes.
 */
import { Histogram } from './histogram.js';

export interface TimelineSeries {
  /** Seconds since the start: row i covers [t[i], t[i] + 1). */
  t: number[];
  sent: number[];
  accepted: number[];
  rejected: number[];
  errors: number[];
  /** First receipts for a part (duplicates and unknown ids not included). */
  receipts: number[];
  /** submit_sm_resp latency of the submits answered in that second, ms; null when none. */
  respP50: (number | null)[];
  respP99: (number | null)[];
  respMax: (number | null)[];
  /** Submit-to-receipt latency of the receipts matched in that second, ms. */
  receiptP50: (number | null)[];
  receiptP99: (number | null)[];
  receiptMax: (number | null)[];
}

export type TimelineCounter = 'sent' | 'accepted' | 'rejected' | 'errors' | 'receipts';

export class Timeline {
  private readonly s: TimelineSeries = {
    t: [], sent: [], accepted: [], rejected: [], errors: [], receipts: [],
    respP50: [], respP99: [], respMax: [], receiptP50: [], receiptP99: [], receiptMax: [],
  };
  /** ~3 % buckets are plenty for a chart. */
  private readonly resp = new Histogram(5);
  private readonly receipt = new Histogram(5);
  private current = -1;

  constructor(private readonly startMs: number) {}

  count(counter: TimelineCounter, nowMs: number, n = 1): void {
    const row = this.rowAt(nowMs);
    this.s[counter][row]! += n;
  }

  respLatency(nowMs: number, us: number): void {
    this.rowAt(nowMs);
    this.resp.record(us);
  }

  receiptLatency(nowMs: number, us: number): void {
    this.rowAt(nowMs);
    this.receipt.record(us);
  }

  /** Closes the current second and returns the series (rows up to `nowMs` exist). */
  series(nowMs: number): TimelineSeries {
    this.rowAt(nowMs);
    this.reduce();
    return this.s;
  }

  /** Counts of the last complete second, for the progress line. */
  lastComplete(counter: TimelineCounter): number {
    return this.current >= 1 ? this.s[counter][this.current - 1]! : 0;
  }

  /** Index of the row for `nowMs`, opening rows (and closing the current one) as time passes. */
  private rowAt(nowMs: number): number {
    const sec = Math.max(0, Math.floor((nowMs - this.startMs) / 1000));
    if (sec <= this.current) return sec;
    if (this.current >= 0) this.reduce();
    for (let i = this.current + 1; i <= sec; i++) {
      const s = this.s;
      s.t.push(i);
      s.sent.push(0); s.accepted.push(0); s.rejected.push(0); s.errors.push(0); s.receipts.push(0);
      s.respP50.push(null); s.respP99.push(null); s.respMax.push(null);
      s.receiptP50.push(null); s.receiptP99.push(null); s.receiptMax.push(null);
    }
    this.current = sec;
    return sec;
  }

  private reduce(): void {
    const row = this.current;
    if (row < 0) return;
    const put = (h: Histogram, p50: (number | null)[], p99: (number | null)[], max: (number | null)[]) => {
      if (h.count === 0) return;
      const [a, b, c] = h.valuesAt([0.5, 0.99, 1]) as [number, number, number];
      p50[row] = ms(a); p99[row] = ms(b); max[row] = ms(c);
      h.reset();
    };
    put(this.resp, this.s.respP50, this.s.respP99, this.s.respMax);
    put(this.receipt, this.s.receiptP50, this.s.receiptP99, this.s.receiptMax);
  }
}

function ms(us: number): number {
  return Math.round(us) / 1000;
}
