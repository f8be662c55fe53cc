/**
 * Routing at the customer edge: a single-part message is routed where it is accepted and
 * written straight to provider-outgoing-messages, with its `accepted` and `routed` steps in one
 * message-events record. That spares it a record in customer-incoming-messages, a consumer hop
 * through the router stage and that stage's write: two records and a produce round trip per
 * message. What the edge does not route goes the long way as before: parts (the assembler),
 * and a message no route takes (the router fails it with its receipt, in one place).
 *
 * The table is the node's: compiled at start and on every reload, like each router's.
 */
import type { GatewayConfig } from '../../config/types.js';
import type { Topics } from '../../kafka/topics.js';
import type { OutRecord } from '../../kafka/writer.js';
import type { LifecycleEvent, MessageRecord } from '../../domain/records.js';
import { compileRoutes, type RouteTable } from '../../domain/routing/route-table.js';
import { decideRoute, routedRecord } from '../router/route-message.js';
import { eventsRecord } from '../event-record.js';
import type { AvailabilityCache } from '../router/availability-cache.js';

export interface EdgeRouting {
  /** The records of `m` routed here, its `accepted` event included; null: it goes to the router. */
  route(m: MessageRecord, accepted: LifecycleEvent): Promise<OutRecord[] | null>;
}

export class EdgeRouter implements EdgeRouting {
  private table: RouteTable;
  private providers: GatewayConfig['providers'];

  constructor(
    config: GatewayConfig,
    private readonly topics: Pick<Topics, 'providerOutgoing' | 'events'>,
    private readonly nodeId: string,
    private readonly providerPartitions: number,
    private readonly availability: Pick<AvailabilityCache, 'unavailable'>,
  ) {
    this.table = compileRoutes(config);
    this.providers = config.providers;
  }

  /** Installs the routes of a reloaded configuration (already validated: it compiled for the stages). */
  reload(config: GatewayConfig): void {
    this.table = compileRoutes(config);
    this.providers = config.providers;
  }

  async route(m: MessageRecord, accepted: LifecycleEvent): Promise<OutRecord[] | null> {
    const table = this.table;
    const providers = this.providers;
    const down = await this.availability.unavailable();
    const now = Date.now();
    const decision = decideRoute(table, m, down, now);
    if (!decision.ok) return null;
    const deps = { topics: this.topics, nodeId: this.nodeId, providers, providerPartitions: this.providerPartitions };
    const { record, event } = routedRecord(deps, m, decision, now, true);
    return [record, eventsRecord(this.topics, [accepted, event])];
  }
}
