/**
 * Smooth pacing of submits at a target rate: at time t, floor(rate · t) submits are due. When
 * the sender falls behind (windows full, event loop busy) the debt it may catch up in one go is
 * capped, so a stall is followed by the target rate again rather than by a burst.
 */
export class Pacer {
  private origin: number;
  private issued = 0;
  private readonly maxDebt: number;

  /** `rate` submits per second, or Infinity for no limit. `maxDebtMs`: catch-up allowed after a stall. */
  constructor(private readonly rate: number, startMs: number, maxDebtMs = 100) {
    if (!(rate > 0)) throw new RangeError(`rate must be positive (got ${rate})`);
    this.origin = startMs;
    this.maxDebt = Number.isFinite(rate) ? Math.max(1, Math.ceil((rate * maxDebtMs) / 1000)) : Infinity;
  }

  /** How many submits may go now. */
  allowance(nowMs: number): number {
    if (!Number.isFinite(this.rate)) return Infinity;
    const due = Math.floor(((nowMs - this.origin) * this.rate) / 1000) - this.issued;
    if (due > this.maxDebt) {
      // Forgive what is beyond the cap by moving the origin forward.
      this.origin += ((due - this.maxDebt) * 1000) / this.rate;
      return this.maxDebt;
    }
    return due > 0 ? due : 0;
  }

  /** Records `n` submits sent (a multi-part message may exceed the allowance; the excess is paid back). */
  consume(n: number): void {
    this.issued += n;
  }

  /** Milliseconds until the next submit is due (0 if one is due now). */
  delayUntilNext(nowMs: number): number {
    if (!Number.isFinite(this.rate)) return 0;
    const nextAt = this.origin + ((this.issued + 1) * 1000) / this.rate;
    return Math.max(0, nextAt - nowMs);
  }
}
