/** Shared set-up of the return-path specs: gateway configuration, own Redis, topic readers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { kafkajs } from '../../../src/kafka/kafkajs.js';
import { Redis } from 'ioredis';
import { createKafka } from '../../../src/kafka/client.js';
import { silentLogger } from '../../../src/log.js';
import { readCommitted } from '../../support/runtime-harness.js';
import { brokers, kafkaConfigFor, waitFor } from '../../support/env.js';
import { freePort } from '../../../scripts/lib/ports.js';
import { redisServerArgs, waitForRedis } from '../../../scripts/lib/redis-server.js';

export interface SpecCustomer {
  systemId: string;
  password: string;
  numbers?: string[];
}

export function gatewayConfig(prefix: string, nodeId: string, providerPort: number, customers: SpecCustomer[], extra: { partitions?: unknown; retentionSeconds?: number } = {}) {
  return {
    node: { id: nodeId, shutdownTimeoutMs: 20000, threads: 2 },
    listeners: [{ name: 'smpp', host: '127.0.0.1', port: 0 }],
    session: { enquireLinkIntervalMs: 0 },
    kafka: { brokers, topicPrefix: prefix, partitions: extra.partitions ?? 3 },
    redis: { keyPrefix: prefix },
    customers: customers.map((c) => ({ ...c, bindTypes: ['transmitter', 'receiver', 'transceiver'] })),
    providers: [{ id: 'sim', host: '127.0.0.1', port: providerPort, systemId: 'gw', password: 'gwpass', rate: 500, window: 20 }],
    routes: [{ provider: 'sim' }],
    delivery: { retryIntervalMs: 200, ...(extra.retentionSeconds === undefined ? {} : { retentionSeconds: extra.retentionSeconds }) },
  };
}

/** The partition kafkajs's default partitioner gives `key` among `count`. */
export function partitionOf(key: string, count: number): number {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  return partitioner({ topic: 't', partitionMetadata: Array.from({ length: count }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] })), message: { key, value: null } });
}

export interface LifecycleEventRow { messageId: string; type: string; node: string; detail?: Record<string, unknown> }

export async function readTopic<T>(prefix: string, topic: string, until: (all: T[]) => boolean, timeoutMs = 30000): Promise<T[]> {
  const kafka = createKafka(kafkaConfigFor(prefix), 'spec-reader', silentLogger);
  // message-events records hold one event or several (the gateway's writers fold them): a row each.
  const rows = await readCommitted<T | T[]>(kafka, `${prefix}${topic}`, (all) => until(all.flat() as T[]), timeoutMs, 500);
  return rows.flat() as T[];
}

/** A Redis of the spec's own (nothing on disk), on a free port, that the spec may restart. */
export interface OwnRedis {
  url: string;
  client: Redis;
  /** Kills it and starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn('redis-server', redisServerArgs(port), { stdio: 'ignore' });
    await waitForRedis(`redis://127.0.0.1:${port}`);
  };
  const kill = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await gone;
  };
  await launch();
  const client = new Redis({ port, host: '127.0.0.1', retryStrategy: () => 100 });
  client.on('error', () => undefined);
  return {
    url: `redis://127.0.0.1:${port}`,
    client,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      client.disconnect();
      await kill();
    },
  };
}
