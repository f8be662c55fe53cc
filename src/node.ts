/**
 * One gateway node. The main thread holds the SMPP listeners and one session actor per
 * customer connection; the stage actors (router, suppliers, correlator, delivery) run on
 * worker threads, each bound to its Kafka topic. Started and stopped as one.
 */
import type { GatewayConfig } from './config/types.js';
import type { Logger } from './log.js';
import { UnavailableError, errorMessage } from './errors.js';
import { createKafka } from './kafka/client.js';
import { ensureTopics } from './kafka/topics.js';
import { DurableWriter } from './kafka/writer.js';
import { connectRedis } from './redis/client.js';
import { ActorSystem } from './runtime/system.js';
import { StagePool } from './runtime/threads/stage-pool.js';
import type { ThreadSnapshot } from './runtime/threads/protocol.js';
import type { ActorStats } from './runtime/stats.js';
import { createSmppServer, type SmppServer } from './smpp/server.js';
import type { SmppConnection } from './smpp/connection.js';
import { Status } from './smpp/status.js';
import { SessionRegistry } from './actors/session/registry.js';
import { LocalSessions } from './actors/session/local-sessions.js';
import { sessionActor, type SessionMessage } from './actors/session/session-actor.js';
import { builtInStages } from './actors/stages.js';
import type { ActorRef } from './runtime/actor.js';
import type { DeliveryRecord } from './domain/records.js';

export interface NodeSnapshot {
  nodeId: string;
  main: ActorStats[];
  workers: ThreadSnapshot[];
}

export interface GatewayNode {
  readonly nodeId: string;
  readonly listeners: readonly { name: string; host: string; port: number }[];
  readonly system: ActorSystem;
  readonly pool: StagePool;
  snapshot(): Promise<NodeSnapshot>;
  /** Unbinds customers, finishes in-flight work, commits, disconnects. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Stage modules for the worker threads (default: the gateway's own stages). */
  stages?: readonly string[];
}

export async function startNode(config: GatewayConfig, logger: Logger, options: StartOptions = {}): Promise<GatewayNode> {
  const nodeId = config.nodeId;
  const log = logger.child({ node: nodeId });
  const kafka = createKafka(config.kafka, `${config.kafka.clientId}-${nodeId}`, log);
  const topics = await ensureTopics(kafka, config.kafka, log);
  const redis = await connectRedis(config.redis, log);
  const writer = new DurableWriter(kafka, { maxPending: 20000, maxBatch: 1000, logger: log });
  await writer.start();

  const registry = new SessionRegistry(redis, config.redis.keyPrefix);
  const cleared = await registry.clearNode(nodeId);
  if (cleared > 0) log.info('stale sessions of an earlier run of this node removed', { sessions: cleared });
  const local = new LocalSessions();
  const system = new ActorSystem({ name: nodeId, logger: log, askTimeoutMs: 30000 });

  const deliver = async (record: DeliveryRecord): Promise<void> => {
    const session = local.receiverFor(record.customer);
    if (!session) throw new UnavailableError('CUSTOMER_NOT_BOUND', `no receiving bind of ${record.customer} on node ${nodeId}`);
    await session.ref.ask<void>({ type: 'deliver', record }, config.delivery.responseTimeoutMs);
  };
  const pool = new StagePool({ threads: config.threads, nodeId, config, stages: [...(options.stages ?? builtInStages)], logger: log, deliver });
  pool.on('givenUp', (index, error) => log.error('a stage worker keeps dying; this node no longer runs its share', { worker: index, error: error.message }));
  await pool.start();

  let draining = false;
  let sessionSeq = 0;
  const sessions = new Set<ActorRef<SessionMessage>>();
  const deps = { config, writer, topics, registry, local, nodeId };
  const onConnection = (conn: SmppConnection) => {
    if (draining) {
      conn.destroy();
      return;
    }
    const id = `${nodeId}-${++sessionSeq}`;
    const ref = system.spawn(`session-${sessionSeq}`, sessionActor(id, conn, deps));
    sessions.add(ref);
    conn.on('request', (pdu, respond) => {
      // A customer far beyond its window: push back rather than queue without bound.
      if (!ref.tell({ type: 'request', pdu, respond })) respond(Status.ESME_RMSGQFUL);
    });
    conn.once('close', () => {
      if (!ref.tell({ type: 'closed' })) void ref.stop({ drain: false });
      void ref.stop({ drain: true }).finally(() => sessions.delete(ref));
    });
  };
  const servers: SmppServer[] = [];
  const listeners: { name: string; host: string; port: number }[] = [];
  for (const l of config.listeners) {
    const server = createSmppServer({
      host: l.host, port: l.port, logger: log,
      connection: {
        window: config.session.window, responseTimeoutMs: config.session.responseTimeoutMs,
        enquireLinkIntervalMs: config.session.enquireLinkIntervalMs, inactivityTimeoutMs: config.session.inactivityTimeoutMs,
        maxPduLength: config.session.maxPduLength, logger: log,
      },
    }, onConnection);
    const addr = await server.listen();
    servers.push(server);
    listeners.push({ name: l.name, ...addr });
  }
  log.info('gateway node started', { listeners, threads: config.threads, brokers: config.kafka.brokers, redis: config.redis.url });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      draining = true;
      log.info('gateway node stopping');
      // Customers first: each session finishes its in-flight submits (answered only once
      // durable) and is unbound, so nothing is acknowledged but unwritten.
      await Promise.allSettled([...sessions].map((s) => s.ask({ type: 'shutdown', unbindTimeoutMs: 3000 }, 10000)));
      await Promise.allSettled(servers.map((s) => s.close()));
      // Stages: each worker stops fetching, lets in-flight records finish, commits, unbinds
      // its providers.
      await pool.stop();
      await system.shutdown({ drain: true });
      await writer.stop().catch((err: unknown) => log.error('writer stop failed', { error: errorMessage(err) }));
      await registry.clearNode(nodeId).catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
      log.info('gateway node stopped');
    })();
    return stopping;
  };
  const snapshot = async (): Promise<NodeSnapshot> => ({ nodeId, main: system.snapshot(), workers: await pool.snapshot() });
  return { nodeId, listeners, system, pool, snapshot, stop };
}
