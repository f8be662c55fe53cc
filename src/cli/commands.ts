/**
 * What each command does, given open connections. Views read what the nodes publish (and
 * Kafka for lag, outbox and trace); actions go through the control channel.
 */
import type { Redis } from 'ioredis';
import type { LifecycleEvent } from '../domain/records.js';
import { decodeRecord } from '../domain/records.js';
import { consumerLag, type PartitionLag } from '../kafka/lag.js';
import { keyHistory, partitionForKey } from '../kafka/key-history.js';
import { silentLogger } from '../log.js';
import type { ControlAction } from '../control/protocol.js';
import type { ClusterDescription, NodeStatus } from '../control/status.js';
import { ask, readCluster, readNodes } from './cluster.js';
import { withKafka } from './connections.js';
import { CliError, Exit, usageError } from './errors.js';
import { expectArgs, type CliOptions } from './options.js';
import { heldSummary } from '../actors/delivery/held-deliveries.js';
import { actorsView, lagView, nodesView, outboxView, providersView, sessionsView, traceView, type View } from './views.js';

export interface Output {
  view: View<unknown>;
  exitCode: number;
}

const ok = (view: View<unknown>): Output => ({ view, exitCode: Exit.OK });

export async function runView(name: string, o: CliOptions, redis: Redis): Promise<Output> {
  const nodes = await readNodes(redis, o.prefix);
  const now = Date.now();
  switch (name) {
    case 'nodes': return ok(withEmptyNote(nodesView(nodes, now), nodes, o));
    case 'actors': {
      const chosen = o.node === null ? nodes : nodes.filter((n) => n.nodeId === o.node);
      if (o.node !== null && chosen.length === 0) {
        throw new CliError('NODE_NOT_FOUND', Exit.NOT_FOUND, `no live node ${o.node} (live: ${nodes.map((n) => n.nodeId).join(', ') || 'none'})`);
      }
      return ok(withEmptyNote(actorsView(chosen, now), nodes, o));
    }
    case 'sessions': return ok(withEmptyNote(sessionsView(nodes, now), nodes, o));
    case 'providers': return ok(withEmptyNote(providersView(nodes), nodes, o));
    case 'lag': {
      const cluster = await needCluster(redis, o);
      return ok(lagView(await withKafka(o.brokers, (k) => consumerLag(k, cluster.stages)), nodes));
    }
    case 'outbox': {
      const cluster = await needCluster(redis, o);
      const delivery = cluster.stages.filter((s) => s.topic === cluster.topics.deliveries);
      const lag: PartitionLag[] = await withKafka(o.brokers, (k) => consumerLag(k, delivery));
      const partitions = lag.length;
      const held = new Map(await Promise.all(cluster.customers.map(async (c) => [c, await heldSummary(redis, o.prefix, c)] as const)));
      return ok(outboxView(cluster.customers, (c) => partitionForKey(cluster.topics.deliveries, c, partitions), lag, held, now));
    }
    default:
      throw usageError(`${name} is not a view`);
  }
}

/** top: every view, one after the other. Kafka trouble shows in its section rather than ending top. */
export async function allViews(o: CliOptions, redis: Redis): Promise<string> {
  const sections: string[] = [];
  for (const name of ['nodes', 'providers', 'sessions', 'lag', 'outbox', 'actors']) {
    let body: string;
    try {
      body = (await runView(name, o, redis)).view.text;
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode === Exit.REDIS_UNREACHABLE) throw err;
      body = `(${err.message})`;
    }
    sections.push(`== ${name} ==\n${body}`);
  }
  return sections.join('\n\n');
}

export async function runAction(o: CliOptions, redis: Redis): Promise<Output> {
  const action = actionOf(o);
  const verdict = await ask(redis, o.prefix, action, o.timeoutMs);
  const exitCode = verdict.ok ? Exit.OK : verdict.replies.length === 0 ? Exit.NO_ANSWER : Exit.REFUSED;
  return { view: { data: verdict, text: verdict.summary }, exitCode };
}

export function actionOf(o: CliOptions): ControlAction {
  switch (o.command) {
    case 'disconnect': return { action: 'disconnect', session: expectArgs(o, ['session'])[0]! };
    case 'block': return { action: 'block', customer: expectArgs(o, ['customer'])[0]! };
    case 'unblock': return { action: 'unblock', customer: expectArgs(o, ['customer'])[0]! };
    case 'pause': return { action: 'pause', provider: expectArgs(o, ['provider'])[0]! };
    case 'resume': return { action: 'resume', provider: expectArgs(o, ['provider'])[0]! };
    case 'reload-routes':
      expectArgs(o, []);
      return { action: 'reload-routes' };
    case 'rate': {
      const [what, id, n] = expectArgs(o, ['provider|customer', 'id', 'per-second']) as [string, string, string];
      const rate = Number(n);
      if (!Number.isFinite(rate) || rate <= 0) throw usageError(`rate: <per-second> must be a number > 0 (got ${JSON.stringify(n)})`);
      if (what === 'provider') return { action: 'provider-rate', provider: id, rate };
      if (what === 'customer') return { action: 'customer-rate', customer: id, rate };
      throw usageError(`rate: first argument must be provider or customer (got ${JSON.stringify(what)})`);
    }
    default:
      throw usageError(`${o.command} is not an action`);
  }
}

export async function runTrace(o: CliOptions, redis: Redis): Promise<Output> {
  const [messageId] = expectArgs(o, ['message-id']) as [string];
  const cluster = await needCluster(redis, o);
  const { partition, values } = await withKafka(o.brokers, (k) => keyHistory(k, cluster.topics.events, messageId, silentLogger, o.timeoutMs * 6));
  const events = values.map((v) => decodeRecord<LifecycleEvent>(v));
  if (events.length === 0) throw new CliError('MESSAGE_NOT_FOUND', Exit.NOT_FOUND, `no events for message ${messageId} in ${cluster.topics.events}`);
  return ok(traceView(messageId, partition, events));
}

async function needCluster(redis: Redis, o: CliOptions): Promise<ClusterDescription> {
  const cluster = await readCluster(redis, o.prefix);
  if (!cluster) {
    throw new CliError('CLUSTER_UNKNOWN', Exit.NOT_FOUND, `no gateway has registered under prefix ${JSON.stringify(o.prefix)} in Redis yet (wrong --prefix?)`);
  }
  return cluster;
}

function withEmptyNote<T>(view: View<T>, nodes: readonly NodeStatus[], o: CliOptions): View<T> {
  if (nodes.length > 0) return view;
  return { data: view.data, text: `${view.text}\n(no live node under prefix ${JSON.stringify(o.prefix)})` };
}
