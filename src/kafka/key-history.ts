/**
 * Where the gateway's producers put a key: the partition kafkajs's DefaultPartitioner (murmur2)
 * picks. The CLI uses it to tell which deliveries partition holds a customer's outbox.
 */
import { kafkajs } from './kafkajs.js';

/** The partition kafkajs' DefaultPartitioner (murmur2, as the gateway's producers use) picks for `key`. */
export function partitionForKey(topic: string, key: string, partitions: number): number {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0 }));
  return partitioner({ topic, partitionMetadata: partitionMetadata as never, message: { key, value: null } });
}
