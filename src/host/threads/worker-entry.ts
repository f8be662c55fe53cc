/**
 * A stage worker thread (run by piscina as one long task). It builds its own Kafka client,
 * producer and Redis connection, loads the stage modules it was given, and binds each stage
 * to its topic; the task resolves only after a 'stop' from the main thread and a drain.
 */
import { threadId } from 'node:worker_threads';
import { createLogger } from '../../log.js';
import { errorMessage, GatewayError, UnavailableError } from '../../errors.js';
import { createKafka } from '../../kafka/client.js';
import { topicNames } from '../../kafka/topics.js';
import { DurableWriter, GATEWAY_LINGER_MS } from '../../kafka/writer.js';
import { connectRedis } from '../../redis/client.js';
import { ActorSystem } from '../../runtime/system.js';
import { PartitionedMailbox } from '../partitioned-mailbox.js';
import { ExactlyOnceMailbox } from '../exactly-once-mailbox.js';
import type { MainLink, StageDefinition, StageEnv } from '../stage.js';
import type { OutboxRecord } from '../../domain/records.js';
import { encodeRecord } from '../../domain/records.js';
import { controlActors } from './actor-control.js';
import { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import { transferable, type DeliveredBy, type MainToWorker, type WorkerResult, type WorkerTask, type WorkerToMain } from './protocol.js';

export default async function runWorker(task: WorkerTask): Promise<WorkerResult> {
  const { index, nodeId, config, port } = task;
  const log = createLogger({ level: config.logLevel, base: { node: nodeId, worker: index } });
  const send = (m: WorkerToMain, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

  const pending = new Map<number, { resolve: (by?: DeliveredBy) => void; reject: (e: Error) => void }>();
  let nextRequest = 0;
  const main: MainLink = {
    deliver(record: OutboxRecord): Promise<DeliveredBy | void> {
      const requestId = ++nextRequest;
      const { view, transfer } = transferable(encodeRecord(record));
      return new Promise((resolve, reject) => {
        pending.set(requestId, { resolve, reject });
        send({ type: 'deliver', requestId, record: view }, [transfer]);
      });
    },
  };

  const kafka = createKafka(config.kafka, `${config.kafka.clientId}-${nodeId}-w${index}`, log);
  const redis = await connectRedis(config.redis, log);
  const topics = topicNames(config.kafka.topicPrefix);
  const writer = new DurableWriter(kafka, { maxPending: 20000, maxBatch: 1000, lingerMs: GATEWAY_LINGER_MS, foldTopic: topics.events, logger: log });
  await writer.start();
  const system = new ActorSystem({ name: `${nodeId}-w${index}`, logger: log, askTimeoutMs: 30000 });
  const metrics = new GatewayMetrics();
  const env: StageEnv = { nodeId, workerIndex: index, config, topics, kafka, writer, redis, main, log, metrics };

  const definitions = await Promise.all(task.stages.map(async (url) => (await import(url) as { stage: StageDefinition }).stage));
  const mailboxes: (PartitionedMailbox<{ type: string }> | ExactlyOnceMailbox<unknown>)[] = [];
  metrics.observeStages(() => mailboxes.map((mb) => mb.stats()));

  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  port.on('message', (m: MainToWorker) => {
    switch (m.type) {
      case 'stop':
        stop();
        break;
      case 'reloadRoutes': {
        env.config = m.config;
        const told = mailboxes.reduce((n, mb) => n + (mb instanceof PartitionedMailbox ? mb.reconfigure(m.config) : 0), 0);
        log.info('configuration reload passed to the stage actors', { actors: told });
        send({ type: 'reconfigured', requestId: m.requestId, actors: told });
        break;
      }
      case 'reply': {
        const p = pending.get(m.requestId);
        if (!p) break;
        pending.delete(m.requestId);
        if (m.ok) p.resolve(m.by);
        else p.reject(m.error.code === 'CUSTOMER_NOT_BOUND' || m.error.code === 'SESSION_GONE'
          ? new UnavailableError(m.error.code, m.error.message)
          : new GatewayError(m.error.code ?? 'DELIVER_FAILED', m.error.message));
        break;
      }
      case 'control':
        void controlActors(system, m.control).then((results) => send({ type: 'control', requestId: m.requestId, results }));
        break;
      case 'metrics':
        void metrics.registry.getMetricsAsJSON().then(
          (json) => send({ type: 'metrics', requestId: m.requestId, metrics: json }),
          (err: unknown) => log.warn('metrics not collected', { error: errorMessage(err) }),
        );
        break;
      case 'snapshot': {
        const mem = process.memoryUsage();
        send({
          type: 'snapshot', requestId: m.requestId,
          snapshot: { index, threadId, memory: { heapUsed: mem.heapUsed, heapTotal: mem.heapTotal }, actors: system.snapshot(), stages: mailboxes.map((mb) => mb.stats()) },
        });
        break;
      }
    }
  });

  try {
    for (const d of definitions) mailboxes.push(d.kind === 'at-least-once' ? new PartitionedMailbox(system, d, env) : new ExactlyOnceMailbox(system, d, env));
    await Promise.all(mailboxes.map(async (m, i) => {
      await m.start();
      log.info('stage bound to its topic', { stage: definitions[i]!.name });
    }));
  } catch (err) {
    // The pool starts this worker again (it may be this same thread): leave no consumer in a
    // group, producer or connection behind.
    log.warn('stage worker start failed; releasing what it started', { error: errorMessage(err) });
    await Promise.allSettled(mailboxes.map((m) => m.stop()));
    await system.shutdown({ drain: false });
    await writer.stop().catch(() => undefined);
    await redis.quit().catch(() => redis.disconnect());
    port.close();
    throw err;
  }
  send({ type: 'ready', index, threadId });
  log.info('stage worker started', { stages: definitions.map((d) => d.name), threadId });
  await stopped;

  log.info('stage worker stopping');
  await Promise.allSettled(mailboxes.map((m) => m.stop()));
  await system.shutdown({ drain: true });
  for (const p of pending.values()) p.reject(new UnavailableError('WORKER_STOPPING', 'worker is stopping'));
  await writer.stop().catch((err: unknown) => log.error('writer stop failed', { error: errorMessage(err) }));
  await redis.quit().catch(() => redis.disconnect());
  port.close();
  return { index, stopped: true };
}
