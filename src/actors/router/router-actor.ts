/**
 * The router stage: reads whole messages, picks each one's provider from the route table, and
 * hands it to the partition of provider-outgoing-messages that the provider's supplier reads.
 * An unroutable message gets a failed receipt (if the customer asked for one) instead of
 * silence.
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { GatewayConfig } from '../../config/types.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { decodeRecord, encodeRecord, type LifecycleEvent, type MessageRecord, type OutgoingRecord } from '../../domain/records.js';
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
}

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
          return { table };
        } catch (err) {
          ctx.log.error('routes not reloaded: the new configuration is invalid', { error: errorMessage(err) });
          return state;
        }
      }
      const m = decodeRecord<MessageRecord>(message.record.value);
      replyWhenDone(ctx, deps.writer.append(route(state.table, m)));
      return state;
    },
  };

  function route(table: RouteTable, m: MessageRecord): OutRecord[] {
    const now = Date.now();
    const decision = chooseRoute(table, {
      id: m.id, customer: m.customer, source: m.source.addr, destination: m.destination.addr, dataCoding: m.dataCoding,
    }, { now });
    if (decision.ok) {
      const out: OutgoingRecord = { message: m, provider: decision.provider, routedAt: now };
      const ev: LifecycleEvent = {
        messageId: m.id, type: 'routed', at: now, node: deps.nodeId,
        detail: { provider: decision.provider, route: decision.route, price: decision.price ?? null },
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
    const records: OutRecord[] = [{ topic: deps.topics.events, key: m.id, value: encodeRecord(ev) }];
    for (const dlr of receiptsForMessage(m, 'UNDELIV', '001', now)) {
      records.push({ topic: deps.topics.deliveries, key: m.customer, value: encodeRecord(dlr) });
    }
    return records;
  }
}
