/**
 * Finds the gateway message a provider receipt is about. Two reasons a first look-up misses,
 * both handled here:
 * - the receipt overtook the supplier's write of the correlation (the provider answers
 *   submit_sm and sends the receipt back to back): looked up again after each of `delaysMs`;
 * - Redis lost its data (restart without persistence): the correlations are replayed from
 *   the Kafka journal (RestoreGuard) before the miss is believed.
 */
import type { CorrelationRecord } from '../../domain/records.js';
import type { CorrelationStore } from '../../redis/stores/correlation-store.js';
import type { RestoreGuard } from '../../redis/restore-guard.js';

/** What find answers for a receipt already turned into customer receipts. */
export const HANDLED = 'handled';

export class CorrelationLookup {
  constructor(
    private readonly store: CorrelationStore,
    private readonly guard: Pick<RestoreGuard, 'ensure'>,
    private readonly delaysMs: readonly number[],
  ) {}

  /**
   * The correlation of a receipt, or HANDLED when `handledKey` (the receipt's done marker) is
   * already set: both read in the first look-up's one command.
   */
  async find(provider: string, ids: readonly string[], handledKey?: string): Promise<CorrelationRecord | typeof HANDLED | null> {
    const first = await this.store.lookup(provider, ids, handledKey);
    if (first.also) return HANDLED;
    let corr = first.record ?? await this.afterRestore(provider, ids);
    for (const delay of this.delaysMs) {
      if (corr) break;
      await new Promise((r) => setTimeout(r, delay));
      corr = await this.afterRestore(provider, ids);
    }
    return corr;
  }

  /** A miss is believed only once Redis is known to hold the journal's correlations. */
  private async afterRestore(provider: string, ids: readonly string[]): Promise<CorrelationRecord | null> {
    await this.guard.ensure();
    return this.store.getFirst(provider, ids);
  }
}
