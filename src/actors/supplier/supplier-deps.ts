/**
 * What answering a provider's own requests (provider-inbound.ts) needs of the supplier's
 * dependencies. Apart from supplier-actor.ts, which calls provider-inbound, so that neither
 * imports the other; the supplier's SupplierDeps satisfies it.
 */
import type { DurableWriter } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import type { NumberOwners } from '../../domain/routing/number-owners.js';
import type { CorrelationStore } from '../../redis/stores/correlation-store.js';
import type { MessageStateStore } from '../../redis/stores/message-state.js';
import type { ReceiptsSeen } from '../correlator/receipts-seen.js';
import type { RecentCorrelations } from './recent-correlations.js';

/**
 * Correlating a provider's receipt where it arrives: one look-up of its correlation (and of its
 * handled marker); a miss goes to the correlator stage, which looks again for a while and
 * rebuilds Redis from the journal first if Redis lost it.
 */
export interface ArrivalCorrelation {
  /** The correlations this supplier wrote lately: most receipts are found here, without Redis. */
  recent?: RecentCorrelations;
  store: Pick<CorrelationStore, 'lookup'>;
  seen: Pick<ReceiptsSeen, 'key' | 'mark'>;
  states: Pick<MessageStateStore, 'receipt'>;
}

export interface InboundDeps {
  writer: DurableWriter;
  topics: Topics;
  nodeId: string;
  /** Who owns the destination number of a mobile-originated message. */
  numberOwners: NumberOwners;
  /** Without it every receipt goes through the correlator stage. */
  arrival?: ArrivalCorrelation;
}
