/**
 * Every record of one key in a keyed topic, oldest first: the partition the producers' default
 * partitioner puts the key in is read from its start with a throwaway consumer group
 * (restorePartition). Cost grows with the partition's size; fine for an operator's look-up and
 * for specs, while a production deployment would index message-events (see README).
 */
import { kafkajs } from './kafkajs.js';
import type { KafkaClient } from './client.js';
import type { Logger } from '../log.js';
import { restorePartition } from './changelog.js';

/** The partition kafkajs' DefaultPartitioner (murmur2, as the gateway's producers use) picks for `key`. */
export function partitionForKey(topic: string, key: string, partitions: number): number {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0 }));
  return partitioner({ topic, partitionMetadata: partitionMetadata as never, message: { key, value: null } });
}

export async function keyHistory(kafka: KafkaClient, topic: string, key: string, logger: Logger, timeoutMs = 60000): Promise<{ partition: number; values: Buffer[] }> {
  const admin = kafka.admin();
  await admin.connect();
  let count: number;
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    count = meta.topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
  const partition = partitionForKey(topic, key, count);
  const values: Buffer[] = [];
  await restorePartition(kafka, topic, partition, (k, v) => {
    if (k === key && v) values.push(v);
  }, logger, timeoutMs);
  return { partition, values };
}
