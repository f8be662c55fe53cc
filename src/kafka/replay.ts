/**
 * Reads a whole topic once, from its earliest offsets up to the high watermarks it had when the
 * replay started: how Redis state that Kafka holds the truth of (correlations, held
 * deliveries) is rebuilt after Redis lost it. Records written during the replay are not
 * waited for; their writers put them in Redis themselves.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaClient } from './client.js';
import type { StageRecord } from './stage-consumer.js';
import { TimeoutError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

export interface ReplayRecord extends Omit<StageRecord, 'value'> {
  /** null for a tombstone. */
  value: Buffer | null;
}

export async function replayTopic(
  kafka: KafkaClient, topic: string, onBatch: (records: ReplayRecord[]) => Promise<void>,
  /** timeoutMs: the longest the replay may go without reading a batch before it fails. */
  options: { timeoutMs: number; logger: Logger },
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${topic}.replay.${randomUUID()}`;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    // Partition -> last offset to read (high watermark - 1); empty partitions need no reading.
    const pending = new Map<number, bigint>();
    for (const o of offsets) if (BigInt(o.high) > BigInt(o.low)) pending.set(o.partition, BigInt(o.high) - 1n);
    if (pending.size === 0) return 0;
    let count = 0;
    let progressAt = Date.now();
    let failure: unknown;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const last = pending.get(batch.partition);
          if (last === undefined) return;
          const records: ReplayRecord[] = [];
          for (const m of batch.messages) {
            if (BigInt(m.offset) > last) break;
            records.push({ topic, partition: batch.partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value, timestamp: Number(m.timestamp) });
          }
          try {
            await onBatch(records);
          } catch (err) {
            failure ??= err;
          }
          count += records.length;
          progressAt = Date.now();
          const lastSeen = batch.messages.length > 0 ? BigInt(batch.messages[batch.messages.length - 1]!.offset) : -1n;
          if (lastSeen >= last) pending.delete(batch.partition);
        },
      });
      // A stall, not a length: a journal of millions of records takes as long as it takes.
      while (pending.size > 0 && failure === undefined) {
        if (Date.now() - progressAt > options.timeoutMs) throw new TimeoutError(`replay of ${topic} made no progress in ${options.timeoutMs} ms (${count} records read)`);
        await new Promise((r) => setTimeout(r, 50));
      }
      if (failure !== undefined) throw failure;
    } finally {
      await consumer.disconnect();
    }
    options.logger.info('topic replayed', { topic, records: count });
    return count;
  } finally {
    await admin.deleteGroups([groupId]).catch((err: unknown) => options.logger.debug('replay group not deleted', { groupId, error: errorMessage(err) }));
    await admin.disconnect();
  }
}
