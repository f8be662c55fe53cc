/**
 * The held-deliveries queue as the CLI sees it. The delivery stage owns the queue
 * (src/actors/delivery/held-deliveries.ts); the member format and this read-only summary live
 * here so the CLI can read the queue without importing the stage.
 */
import type { RedisClient } from '../client.js';
import { redisKeys } from '../keys.js';
import type { OutboxRecord } from '../../domain/records.js';

/** A held record and where it came from in the outbox topic: a member of the queue, as JSON. */
export interface HeldEntry {
  partition: number;
  offset: string;
  record: OutboxRecord;
}

/** What an operator sees of one customer's held deliveries. */
export interface HeldSummary {
  count: number;
  /** createdAt of the oldest held record, epoch ms; null when none is held. */
  oldestCreatedAt: number | null;
}

export async function heldSummary(redis: RedisClient, prefix: string, customer: string): Promise<HeldSummary> {
  const key = redisKeys(prefix).held(customer);
  const [count, head] = await Promise.all([redis.zcard(key), redis.zrange(key, 0, 0)]);
  const oldest = head[0] === undefined ? null : (JSON.parse(head[0]) as HeldEntry).record.createdAt;
  return { count, oldestCreatedAt: oldest ?? null };
}
