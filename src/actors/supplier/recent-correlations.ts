/**
 * The correlations this supplier wrote lately, in memory. A provider's receipt nearly always
 * comes back over the bind its message went out on, to the supplier that wrote its correlation
 * moments before: found here, it needs no Redis look-up. A receipt this memory misses (an older
 * one, one over another bind or node, one after a restart) is looked up in Redis as before.
 *
 * It also remembers which of its receipts it handled, so a provider's copy of one (its
 * deliver_sm_resp lost) is not passed on twice. It cannot know of a copy handled elsewhere (the
 * correlator stage, another node): that one is passed on again, as at-least-once allows.
 * Bounded by count and by age. Pure (no I/O).
 */
import type { CorrelationRecord } from '../../domain/records.js';
import { normalizeProviderId } from '../../domain/ids.js';

interface Entry {
  record: CorrelationRecord;
  at: number;
  handled: string[];
}

export interface RecentHit {
  record: CorrelationRecord;
  /** Whether a receipt with this stat was handled here already. */
  handled: boolean;
  /** Records that the receipt with this stat is handled. */
  markHandled(): void;
}

export class RecentCorrelations {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly maxAgeMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  remember(provider: string, providerMessageId: string, record: CorrelationRecord): void {
    const key = this.key(provider, providerMessageId);
    this.entries.delete(key);
    this.entries.set(key, { record, at: this.now(), handled: [] });
    this.evict();
  }

  /** The correlation stored under the first of `ids` known here, fresh enough. */
  find(provider: string, ids: readonly string[], stat: string): RecentHit | undefined {
    const now = this.now();
    for (const id of ids) {
      const e = this.entries.get(this.key(provider, id));
      if (!e || now - e.at > this.maxAgeMs) continue;
      return { record: e.record, handled: e.handled.includes(stat), markHandled: () => void e.handled.push(stat) };
    }
    return undefined;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && now - e.at <= this.maxAgeMs) break;
      this.entries.delete(key);
    }
  }

  private key(provider: string, providerMessageId: string): string {
    return `${provider}\n${normalizeProviderId(providerMessageId)}`;
  }
}
