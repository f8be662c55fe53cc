/** Committed offsets of a consumer group, read from the coordinator. */
import type { KafkaClient } from './client.js';

/**
 * The next offset the group will read in `partition` (0 when the group never committed
 * there). Read after fencing a partition's previous owner, this is stable: that owner's last
 * transaction, offsets included, has completed.
 */
export async function committedOffset(kafka: KafkaClient, groupId: string, topic: string, partition: number): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const offset = entry?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    return offset === '-1' ? 0n : BigInt(offset);
  } finally {
    await admin.disconnect();
  }
}
