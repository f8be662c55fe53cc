/**
 * Which partition of provider-outgoing-messages carries a provider's traffic. Each provider
 * bind has its own partition (its slot modulo the count; the slot stays while providers come
 * and go, see src/directory/), so the one node assigned that partition is
 * the single owner of the bind and its throttle is exact cluster-wide. Pure.
 */
import type { ProviderConfig } from '../../config/types.js';

export function providerPartition(providers: readonly Pick<ProviderConfig, 'id' | 'slot'>[], providerId: string, partitions: number): number {
  const i = providers.findIndex((p) => p.id === providerId);
  if (i < 0) throw new RangeError(`unknown provider ${providerId}`);
  return (providers[i]!.slot ?? i) % partitions;
}

/** The providers whose partition is among `assigned`. */
export function ownedProviders(providers: readonly ProviderConfig[], assigned: readonly number[], partitions: number): ProviderConfig[] {
  const set = new Set(assigned);
  return providers.filter((p, i) => set.has((p.slot ?? i) % partitions));
}
