/**
 * Slows down repeated failed binds from one address (password guessing): the first `free`
 * failures are answered at once, then every bind from that address waits `delayMs`, doubling
 * with each further failure up to `maxDelayMs`. Every bind waits, not only failing ones, so
 * the answer's timing tells a guesser nothing. A successful bind clears the address. Per node
 * and in memory (ClusterBindGuard shares the counts through Redis). Pure; time comes in.
 */
import { isIPv6 } from 'node:net';
import { backoffDelay } from '../../backoff.js';
import type { BindFailureConfig } from '../../config/types.js';

interface Failures {
  count: number;
  last: number;
}

/** The wait before answering a bind from an address with `failures` recent failed binds. */
export function delayAfter(failures: number, config: BindFailureConfig): number {
  if (failures < config.free) return 0;
  return backoffDelay(failures - config.free, { initialMs: config.delayMs, maxMs: config.maxDelayMs });
}

/**
 * Who a failure is counted against: an IPv4 address (also when it comes IPv4-mapped), or the
 * /64 of an IPv6 address, since one IPv6 host can use a whole /64.
 */
export function guardKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class BindGuard {
  private readonly byAddress = new Map<string, Failures>();

  constructor(private readonly config: BindFailureConfig, private readonly maxAddresses = 100_000) {}

  /** How long to wait before answering a bind from `address` now. */
  delayFor(address: string, now: number): number {
    return delayAfter(this.current(address, now)?.count ?? 0, this.config);
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
