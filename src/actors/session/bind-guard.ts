/**
 * Slows down repeated failed binds from one address (password guessing): the first `free`
 * failures are answered at once, then every bind from that address waits `delayMs`, doubling
 * with each further failure up to `maxDelayMs`. Every bind waits, not only failing ones, so
 * the answer's timing tells a guesser nothing. A successful bind clears the address. Per node
 * and in memory: a guesser spread over nodes meets each node's delay. Pure; time comes in.
 */
import type { BindFailureConfig } from '../../config/types.js';

interface Failures {
  count: number;
  last: number;
}

export class BindGuard {
  private readonly byAddress = new Map<string, Failures>();

  constructor(private readonly config: BindFailureConfig, private readonly maxAddresses = 100_000) {}

  /** How long to wait before answering a bind from `address` now. */
  delayFor(address: string, now: number): number {
    const f = this.current(address, now);
    if (!f || f.count < this.config.free) return 0;
    const doublings = Math.min(f.count - this.config.free, 30);
    return Math.min(this.config.maxDelayMs, this.config.delayMs * 2 ** doublings);
  }

  failed(address: string, now: number): void {
    const f = this.current(address, now);
    if (f) {
      f.count++;
      f.last = now;
      return;
    }
    if (this.byAddress.size >= this.maxAddresses) this.sweep(now);
    this.byAddress.set(address, { count: 1, last: now });
  }

  succeeded(address: string): void {
    this.byAddress.delete(address);
  }

  get size(): number {
    return this.byAddress.size;
  }

  private current(address: string, now: number): Failures | undefined {
    const f = this.byAddress.get(address);
    if (f && now - f.last > this.config.forgetMs) {
      this.byAddress.delete(address);
      return undefined;
    }
    return f;
  }

  /** Bounded memory under an address-spraying attack: forget stale entries, else the oldest. */
  private sweep(now: number): void {
    for (const [a, f] of this.byAddress) if (now - f.last > this.config.forgetMs) this.byAddress.delete(a);
    if (this.byAddress.size < this.maxAddresses) return;
    const oldest = this.byAddress.keys().next().value;
    if (oldest !== undefined) this.byAddress.delete(oldest);
  }
}
