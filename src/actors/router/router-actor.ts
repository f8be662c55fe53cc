/**
 * The router stage: reads whole messages, picks each one's provider from the route table, and
 * hands it to the partition of provider-outgoing-messages that the provider's supplier reads.
 * An unroutable message gets a failed receipt (if the customer asked for one) instead of
 * silence.
 *
 * Providers whose binds are down (cluster bind states, cached for a second) are skipped, so
 * failover routes move traffic to their next provider. When every provider of the matching
 * routes is down the message still goes to one of them: its supplier holds it until the bind
 * is back, rather than the customer getting a failure for an outage of seconds. A message a
 * supplier handed back (`reroute`) never goes to a provider it already tried.
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { GatewayConfig } from '../../config/types.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { decodeRecord, encodeRecord, type LifecycleEvent, type MessageRecord, type OutgoingRecord } from '../../domain/records.js';
import type { AvailabilityCache } from './availability-cache.js';
import { chooseRoute, compileRoutes, type RouteTable, type RoutingInput } from './route-table.js';
import { errorMessage } from '../../errors.js';
import { providerPartition } from '../supplier/ownership.js';
import { replyWhenDone, type RecordMessage } from '../stage-message.js';
import { receiptsForMessage } from '../correlator/receipt-targets.js';

/** `reload` carries plain configuration (it may cross threads); a table that fails to compile is not installed. */
export type RouterMessage = RecordMessage | { type: 'reload'; config: RoutingInput };

interface RouterState {
  table: RouteTable;
}

export interface RouterDeps {
  config: GatewayConfig;
  writer: DurableWriter;
  topics: Topics;
  nodeId: string;
  providerPartitions: number;
  availability: AvailabilityCache;
}

/** A message handed back more often than this fails: no route has that many providers to try. */
export const MAX_REROUTES = 8;

export function routerActor(deps: RouterDeps): ActorSpec<RouterState, RouterMessage> {
  return {
    kind: 'router',
    mailboxCapacity: 1024,
    init: () => ({ table: compileRoutes(deps.config) }),
    receive: (state, message, ctx) => {
      if (message.type === 'reload') {
        try {
          const table = compileRoutes(message.config);
          ctx.log.info('routes reloaded', { routes: message.config.routes.length });
          ctx.reply({ reloaded: true, routes: message.config.routes.length });
          return { table };
        } catch (err) {
          ctx.log.error('routes not reloaded: the new configuration is invalid', { error: errorMessage(err) });
          ctx.reply({ reloaded: false, reason: errorMessage(err) });
          return state;
        }
      }
      const m = decodeRecord<MessageRecord>(message.record.value);
      const table = state.table;
      replyWhenDone(ctx, deps.availability.unavailable().then((down) => deps.writer.append(route(table, m, down))));
      return state;
    },
  };

  function route(table: RouteTable, m: MessageRecord, down: ReadonlySet<string>): OutRecord[] {
    const now = Date.now();
    const routable = { id: m.id, customer: m.customer, source: m.source.addr, destination: m.destination.addr, dataCoding: m.dataCoding };
    const excluded = new Set(m.reroute?.excluded ?? []);
    let decision = chooseRoute(table, routable, { now, unavailable: new Set([...down, ...excluded]) });
    if (!decision.ok && decision.code === 'providers_unavailable' && down.size > 0) {
      decision = chooseRoute(table, routable, { now, unavailable: excluded });
    }
    if (m.reroute && (!decision.ok || excluded.size >= MAX_REROUTES)) return failRerouted(m, now);
    if (decision.ok) {
      const out: OutgoingRecord = { message: m, provider: decision.provider, routedAt: now, ...(decision.kind === 'failover' ? { failover: true } : {}) };
      const ev: LifecycleEvent = {
        messageId: m.id, type: 'routed', at: now, node: deps.nodeId,
        detail: { provider: decision.provider, route: decision.route, price: decision.price ?? null, ...(m.reroute ? { after: m.reroute.excluded.join(',') } : {}) },
      };
      return [
        {
          topic: deps.topics.providerOutgoing, key: decision.provider, value: encodeRecord(out),
          partition: providerPartition(deps.config.providers, decision.provider, deps.providerPartitions),
        },
        { topic: deps.topics.events, key: m.id, value: encodeRecord(ev) },
      ];
    }
    const ev: LifecycleEvent = { messageId: m.id, type: 'unroutable', at: now, node: deps.nodeId, detail: { code: decision.code, reason: decision.reason } };
    return [{ topic: deps.topics.events, key: m.id, value: encodeRecord(ev) }, ...failedReceipts(m, 'UNDELIV', '001', now)];
  }

  /** Every provider a failover route offers was tried: the last refusal stands. */
  function failRerouted(m: MessageRecord, now: number): OutRecord[] {
    const r = m.reroute!;
    const stat = r.reason === 'rejected' ? 'REJECTD' : 'UNDELIV';
    const ev: LifecycleEvent = {
      messageId: m.id, type: 'submit_failed', at: now, node: deps.nodeId,
      detail: { tried: r.excluded.join(','), reason: r.reason, status: r.lastStatus },
    };
    const err = r.lastStatus === null ? '001' : String(r.lastStatus % 1000).padStart(3, '0');
    return [{ topic: deps.topics.events, key: m.id, value: encodeRecord(ev) }, ...failedReceipts(m, stat, err, now)];
  }

  /** One receipt for every part id the customer was given, each as that part asked. */
  function failedReceipts(m: MessageRecord, stat: 'UNDELIV' | 'REJECTD', err: string, now: number): OutRecord[] {
    return receiptsForMessage(m, stat, err, now).map((dlr) => ({ topic: deps.topics.deliveries, key: m.customer, value: encodeRecord(dlr) }));
  }
}
