/** Committed offsets of a consumer group, read from the coordinator. */
import type { KafkaClient } from './client.js';

/**
 * The next offset the group will read in `partition` (0 when the group never committed
 * there). Read after fencing a partition's previous owner, this is stable: that owner's last
 * transaction, offsets included, has completed.
 */
export async function committedOffset(kafka: KafkaClient, groupId: string, topic: string, partition: number): Promise<bigint> {
  return (await committedOffsets(kafka, groupId, topic)).get(partition) ?? 0n;
}

/** The next offset the group will read in every partition of `topic` (0 where it never committed). */
export async function committedOffsets(kafka: KafkaClient, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((entry?.partitions ?? []).map((p) => [p.partition, p.offset === '-1' ? 0n : BigInt(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}
