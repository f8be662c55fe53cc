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

export class CorrelationLookup {
  constructor(
    private readonly store: CorrelationStore,
    private readonly guard: Pick<RestoreGuard, 'ensure'>,
    private readonly delaysMs: readonly number[],
  ) {}

  async find(provider: string, ids: readonly string[]): Promise<CorrelationRecord | null> {
    let corr = await this.once(provider, ids);
    for (const delay of this.delaysMs) {
      if (corr) break;
      await new Promise((r) => setTimeout(r, delay));
      corr = await this.once(provider, ids);
    }
    return corr;
  }

  private async once(provider: string, ids: readonly string[]): Promise<CorrelationRecord | null> {
    const hit = await this.store.getFirst(provider, ids);
    if (hit) return hit;
    await this.guard.ensure();
    return this.store.getFirst(provider, ids);
  }
}
