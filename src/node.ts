/**
 * One gateway node: the SMPP listeners and session actors, and the stage actors (router,
 * suppliers, correlator, delivery) each bound to its Kafka topic. Started and stopped as one.
 */
import type { GatewayConfig } from './config/types.js';
import type { Logger } from './log.js';
import { errorMessage } from './errors.js';
import { createKafka } from './kafka/client.js';
import { ensureTopics } from './kafka/topics.js';
import { DurableWriter } from './kafka/writer.js';
import { connectRedis } from './redis/client.js';
import { ActorSystem } from './runtime/system.js';
import { KafkaMailbox } from './runtime/kafka-mailbox.js';
import { SessionRegistry } from './actors/session/registry.js';
import { LocalSessions } from './actors/session/local-sessions.js';
import { MessageStateStore } from './actors/session/message-state.js';
import { startCustomerEdge } from './actors/session/edge.js';
import { routerActor } from './actors/router/router-actor.js';
import { suppliersActor } from './actors/supplier/suppliers-actor.js';
import { CorrelationStore } from './actors/supplier/correlation-store.js';
import { correlatorActor } from './actors/correlator/correlator-actor.js';
import { deliveryActor } from './actors/delivery/delivery-actor.js';

export interface GatewayNode {
  readonly nodeId: string;
  readonly listeners: readonly { name: string; host: string; port: number; tls: boolean }[];
  readonly system: ActorSystem;
  /** Unbinds customers, finishes in-flight work, commits, disconnects. */
  stop(): Promise<void>;
}

const CORRELATION_TTL_SECONDS = 7 * 24 * 3600;

export async function startNode(config: GatewayConfig, logger: Logger): Promise<GatewayNode> {
  const nodeId = config.nodeId;
  const log = logger.child({ node: nodeId });
  const kafka = createKafka(config.kafka, `${config.kafka.clientId}-${nodeId}`, log);
  const topics = await ensureTopics(kafka, config.kafka, log);
  const redis = await connectRedis(config.redis, log);
  const writer = new DurableWriter(kafka, { maxPending: 20000, maxBatch: 1000, logger: log });
  await writer.start();

  const prefix = config.redis.keyPrefix;
  const registry = new SessionRegistry(redis, prefix);
  const cleared = await registry.clearNode(nodeId);
  if (cleared > 0) log.info('stale sessions of an earlier run of this node removed', { sessions: cleared });
  const correlation = new CorrelationStore(redis, prefix, CORRELATION_TTL_SECONDS);
  const local = new LocalSessions();
  // query_sm state: written by sessions on accept, updated by the correlator on receipts.
  const states = new MessageStateStore(redis, prefix, config.session.messageStateTtlSeconds);
  const system = new ActorSystem({ name: nodeId, logger: log, askTimeoutMs: 30000 });
  const group = (stage: string) => `${config.kafka.topicPrefix}${stage}`;
  const providerPartitions = config.kafka.partitions.providerOutgoing;

  const router = system.spawn('router', routerActor({ config, writer, topics, nodeId, providerPartitions }));
  const suppliers = system.spawn('suppliers', suppliersActor({ config, writer, topics, correlation, nodeId, providerPartitions, recordTimeoutMs: 600000 }));
  const correlator = system.spawn('correlator', correlatorActor({ writer, topics, correlation, nodeId, lookupDelaysMs: [50, 100, 200, 500, 1000, 2000, 5000], states }));
  const delivery = system.spawn('delivery', deliveryActor({ writer, topics, local, nodeId, responseTimeoutMs: config.delivery.responseTimeoutMs }));

  const mailboxes = [
    new KafkaMailbox(kafka, router, { groupId: group('router'), topic: topics.messages, window: 64, partitionsConcurrently: 4, recordTimeoutMs: 60000, logger: log }),
    new KafkaMailbox(kafka, suppliers, {
      groupId: group('supplier'), topic: topics.providerOutgoing,
      window: Math.max(...config.providers.map((p) => p.window)) * 2,
      partitionsConcurrently: Math.min(providerPartitions, 16), recordTimeoutMs: 600000, logger: log,
      onAssignment: (a) => { suppliers.tell({ type: 'assigned', partitions: a[topics.providerOutgoing] ?? [] }); },
    }),
    new KafkaMailbox(kafka, correlator, { groupId: group('correlator'), topic: topics.providerEvents, window: 64, partitionsConcurrently: 4, recordTimeoutMs: 60000, logger: log }),
    // Window 1: a customer's receipts go out in the order they were produced.
    new KafkaMailbox(kafka, delivery, {
      groupId: group('delivery'), topic: topics.deliveries, window: 1, partitionsConcurrently: Math.min(config.kafka.partitions.deliveries, 16),
      recordTimeoutMs: config.delivery.responseTimeoutMs * 2, retry: { initialMs: 100, maxMs: config.delivery.retryIntervalMs }, logger: log,
    }),
  ];
  await Promise.all(mailboxes.map((m) => m.start()));

  // The customer edge (SMPP listeners and session actors): src/actors/session/edge.ts.
  const edge = await startCustomerEdge({ config, system, writer, topics, redis, registry, local, states, nodeId, log });
  const listeners = edge.listeners;
  log.info('gateway node started', { listeners, brokers: config.kafka.brokers, redis: config.redis.url });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('gateway node stopping');
      // Customers first: each session finishes its in-flight submits (answered only once
      // durable) and is unbound, so nothing is acknowledged but unwritten.
      await edge.unbindAll(3000, 10000);
      await edge.close();
      // Stages: stop fetching, let in-flight records finish, commit.
      await Promise.allSettled(mailboxes.map((m) => m.stop()));
      await system.shutdown({ drain: true });
      await writer.stop().catch((err: unknown) => log.error('writer stop failed', { error: errorMessage(err) }));
      await registry.clearNode(nodeId).catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
      log.info('gateway node stopped');
    })();
    return stopping;
  };
  return { nodeId, listeners, system, stop };
}
