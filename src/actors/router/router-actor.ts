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
import type { ActorContext } from '../../runtime/context.js';
import { RecordError } from '../../errors.js';
import type { GatewayConfig } from '../../config/types.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { decodeRecord, type MessageRecord } from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { eventRecord } from '../event-record.js';
import type { AvailabilityCache } from './availability-cache.js';
import { compileRoutes, type RouteTable, type RoutingInput } from '../../domain/routing/route-table.js';
import { decideRoute, routedRecord } from './route-message.js';
import { errorMessage } from '../../errors.js';
import { InFlight, stageSupervision, type RecordMessage, type WorkDone } from '../stage-message.js';
import { failedReceipts } from '../failed-receipts.js';

/** `reload` carries plain configuration (it may cross threads); a table that fails to compile is not installed. */
export type ReloadRoutes = { type: 'reload'; config: RoutingInput };
export type RouterMessage = RecordMessage | ReloadRoutes | WorkDone;

interface RouterState {
  table: RouteTable;
  /** Records being routed (their writes not yet acknowledged). */
  work: InFlight;
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
  // Providers of the configuration in force: a reload or the live directory replaces them.
  let routed: Parameters<typeof routedRecord>[0] = { topics: deps.topics, nodeId: deps.nodeId, providers: deps.config.providers, providerPartitions: deps.providerPartitions };
  return {
    kind: 'router',
    supervision: stageSupervision,
    mailboxCapacity: 1024,
    init: () => ({ table: compileRoutes(deps.config), work: new InFlight() }),
    receive: (state, message, ctx) => {
      switch (message.type) {
        case 'workDone':
          state.work.finish(message);
          return state;
        case 'reload':
          return reload(state, message, ctx);
        case 'record': {
          const m = state.work.read(ctx, () => decodeMessage(message.record.value));
          if (m === undefined) return state;
          // The table in force now routes this record, even if a reload comes before its write.
          const table = state.table;
          state.work.start(ctx, deps.availability.unavailable().then((down) => deps.writer.append(route(table, m, down))), m.id, (done) => done);
          return state;
        }
      }
    },
  };

  function reload(state: RouterState, message: ReloadRoutes, ctx: ActorContext<RouterMessage>): RouterState {
    try {
      const table = compileRoutes(message.config);
      routed = { ...routed, providers: message.config.providers };
      // A restart (supervision) starts from the routes in force.
      deps.config = { ...deps.config, ...message.config } as GatewayConfig;
      ctx.log.info('routes reloaded', { routes: message.config.routes.length });
      ctx.reply({ reloaded: true, routes: message.config.routes.length });
      return { ...state, table };
    } catch (err) {
      ctx.log.error('routes not reloaded: the new configuration is invalid', { error: errorMessage(err) });
      ctx.reply({ reloaded: false, reason: errorMessage(err) });
      return state;
    }
  }

  function route(table: RouteTable, m: MessageRecord, down: ReadonlySet<string>): OutRecord[] {
    const now = Date.now();
    const decision = decideRoute(table, m, down, now);
    if (m.reroute && (!decision.ok || new Set(m.reroute.excluded).size >= MAX_REROUTES)) return failRerouted(m, now);
    if (decision.ok) {
      const { record, event } = routedRecord(routed, m, decision, now);
      return [record, eventRecord(deps.topics, event)];
    }
    const ev = lifecycleEvent(m.id, 'unroutable', deps.nodeId, { code: decision.code, reason: decision.reason }, now);
    return [eventRecord(deps.topics, ev), ...failedReceipts(deps.topics, m, 'UNDELIV', '001', now)];
  }

  /** Every provider a failover route offers was tried: the last refusal stands. */
  function failRerouted(m: MessageRecord, now: number): OutRecord[] {
    const r = m.reroute!;
    const stat = r.reason === 'rejected' ? 'REJECTD' : 'UNDELIV';
    const ev = lifecycleEvent(m.id, 'submit_failed', deps.nodeId, { tried: r.excluded.join(','), reason: r.reason, status: r.lastStatus }, now);
    const err = r.lastStatus === null ? '001' : String(r.lastStatus % 1000).padStart(3, '0');
    return [eventRecord(deps.topics, ev), ...failedReceipts(deps.topics, m, stat, err, now)];
  }
}

/** A whole message as the router needs it; a record of another shape is the record's fault. */
export function decodeMessage(value: Buffer): MessageRecord {
  const m = decodeRecord<MessageRecord>(value);
  if (typeof m !== 'object' || m === null || typeof m.id !== 'string' || typeof m.customer !== 'string'
    || typeof m.source?.addr !== 'string' || typeof m.destination?.addr !== 'string') {
    throw new RecordError('RECORD_INVALID', 'not a message: id, customer, source.addr and destination.addr are required');
  }
  return m;
}
