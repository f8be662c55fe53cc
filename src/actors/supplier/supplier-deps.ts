/**
 * What answering a provider's own requests (provider-inbound.ts) needs of the supplier's
 * dependencies. Apart from supplier-actor.ts, which calls provider-inbound, so that neither
 * imports the other; the supplier's SupplierDeps satisfies it.
 */
import type { DurableWriter } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import type { NumberOwners } from '../../domain/routing/number-owners.js';

export interface InboundDeps {
  writer: DurableWriter;
  topics: Topics;
  nodeId: string;
  /** Who owns the destination number of a mobile-originated message. */
  numberOwners: NumberOwners;
}
