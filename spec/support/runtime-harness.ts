/** Helpers for specs that drive stages on the runtime against the real broker. */
import { createKafka, type KafkaClient } from '../../src/kafka/client.js';
import { ensureTopics } from '../../src/kafka/topics.js';
import { validateConfig } from '../../src/config/validate.js';
import type { GatewayConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { brokers, redisUrl } from './env.js';

export function stageConfig(prefix: string, partitions: number, threads: number, nodeId: string): GatewayConfig {
  return validateConfig({
    node: { id: nodeId, threads, logLevel: (process.env.SPEC_LOG_LEVEL ?? 'warn') as 'warn' },
    listeners: [{ port: 0 }],
    kafka: { brokers, topicPrefix: prefix, partitions },
    redis: { url: redisUrl, keyPrefix: prefix },
    customers: [{ systemId: 'x', password: 'x' }],
    providers: [{ id: 'p', host: '127.0.0.1', port: 1, systemId: 'p', password: 'p' }],
    routes: [{ provider: 'p' }],
  });
}

export async function prepareTopics(config: GatewayConfig): Promise<KafkaClient> {
  const kafka = createKafka(config.kafka, 'spec', silentLogger);
  await ensureTopics(kafka, config.kafka, silentLogger);
  return kafka;
}

export async function produce(kafka: KafkaClient, topic: string, records: { key: string; value: string }[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < records.length; i += 500) {
    await producer.send({ topic, acks: -1, messages: records.slice(i, i + 500) });
  }
  await producer.disconnect();
}

/** Reads a topic from the start, committed records only, until `until` holds or time runs out. */
export async function readCommitted<T>(
  kafka: KafkaClient, topic: string, until: (all: T[]) => boolean, timeoutMs: number, settleMs = 1500,
): Promise<T[]> {
  const consumer = kafka.consumer({ groupId: `${topic}.reader.${Date.now()}.${Math.random()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const all: T[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { all.push(JSON.parse(message.value!.toString()) as T); } });
  const deadline = Date.now() + timeoutMs;
  while (!until(all) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // Keep reading a little longer: a duplicate would arrive after the expected count.
  await new Promise((r) => setTimeout(r, settleMs));
  await consumer.disconnect();
  return all;
}

/** For each key, the counts must be exactly 1..n: no gap (loss), no repeat (duplicate). */
export function countProblems(outputs: { key: string; count: number }[], expected: Map<string, number>): string[] {
  const byKey = new Map<string, number[]>();
  for (const o of outputs) {
    let list = byKey.get(o.key);
    if (!list) byKey.set(o.key, (list = []));
    list.push(o.count);
  }
  const problems: string[] = [];
  for (const [key, n] of expected) {
    const counts = (byKey.get(key) ?? []).slice().sort((a, b) => a - b);
    if (counts.length !== n || counts.some((c, i) => c !== i + 1)) {
      problems.push(`${key}: expected 1..${n}, got ${counts.length} outputs [${counts.slice(0, 8).join(',')}${counts.length > 8 ? ',...' : ''}]`);
    }
  }
  return problems;
}
