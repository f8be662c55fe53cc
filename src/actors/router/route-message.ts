/**
 * Routing one whole message: the decision (skipping providers that are down, unless every
 * provider of the matching routes is) and the provider-outgoing record with its `routed`
 * event. Shared by the router stage and by the customer edge, which routes a single-part
 * message where it is accepted (src/actors/session/edge-router.ts).
 */
import type { ProviderConfig } from '../../config/types.js';
import type { Topics } from '../../kafka/topics.js';
import type { OutRecord } from '../../kafka/writer.js';
import { encodeRecord, type LifecycleEvent, type MessageRecord, type OutgoingRecord } from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { chooseRoute, type RouteDecision, type RouteTable } from '../../domain/routing/route-table.js';
import { providerPartition } from '../supplier/ownership.js';

export interface RoutedDeps {
  topics: Pick<Topics, 'providerOutgoing'>;
  nodeId: string;
  providers: readonly Pick<ProviderConfig, 'id' | 'slot'>[];
  providerPartitions: number;
}

/**
 * The route of `m`: providers that are down (`down`) or already tried (`m.reroute`) are
 * skipped; when only down providers match, the message still goes to one of them (its
 * supplier holds it until the bind is back rather than failing it for an outage of seconds).
 */
export function decideRoute(table: RouteTable, m: MessageRecord, down: ReadonlySet<string>, now: number): RouteDecision {
  const routable = { id: m.id, customer: m.customer, source: m.source.addr, destination: m.destination.addr, dataCoding: m.dataCoding };
  const excluded = new Set(m.reroute?.excluded ?? []);
  const decision = chooseRoute(table, routable, { now, unavailable: new Set([...down, ...excluded]) });
  if (!decision.ok && decision.code === 'providers_unavailable' && down.size > 0) {
    return chooseRoute(table, routable, { now, unavailable: excluded });
  }
  return decision;
}

/** The provider-outgoing record of a routed message (partition: its provider's) and its `routed` event. */
export function routedRecord(
  deps: RoutedDeps, m: MessageRecord, decision: Extract<RouteDecision, { ok: true }>, now: number, atEdge = false,
): { record: OutRecord; event: LifecycleEvent } {
  const out: OutgoingRecord = {
    message: m, provider: decision.provider, routedAt: now, ...(decision.kind === 'failover' ? { failover: true } : {}), ...(atEdge ? { atEdge: true } : {}),
  };
  const event = lifecycleEvent(m.id, 'routed', deps.nodeId, {
    provider: decision.provider, route: decision.route, price: decision.price ?? null, ...(m.reroute ? { after: m.reroute.excluded.join(',') } : {}),
  }, now);
  return {
    record: {
      topic: deps.topics.providerOutgoing, key: decision.provider, value: encodeRecord(out),
      partition: providerPartition(deps.providers, decision.provider, deps.providerPartitions),
    },
    event,
  };
}
