/**
 * Every record of a topic written since a time, across all its partitions, up to the ends they
 * had when the read began: each partition is read from the first offset at or after `sinceMs`
 * (ListOffsets by timestamp) with a throwaway consumer group, deleted afterwards. What
 * `smsgw trace` reads message-events with: a message's events are spread over the partitions
 * (a writer folds the events of one produce request into one record), and none is older than
 * the message.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaClient } from './client.js';
import { TimeoutError } from '../errors.js';
import type { Logger } from '../log.js';

export async function readTopicSince(
  kafka: KafkaClient, topic: string, sinceMs: number, apply: (partition: number, value: Buffer) => void, logger: Logger, timeoutMs = 60000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let from: Map<number, bigint>;
  let to: Map<number, bigint>;
  try {
    from = new Map((await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs)).map((o) => [o.partition, BigInt(o.offset)]));
    to = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const left = new Set([...to].filter(([p, high]) => high > (from.get(p) ?? 0n)).map(([p]) => p));
  if (left.size === 0) return;

  const groupId = `${topic}.history.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 10000, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const caughtUp = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${topic} not read within ${timeoutMs} ms`)), timeoutMs);
      // lastOffset counts transaction markers too, so this fires even when a log ends in one.
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        if (BigInt(e.payload.lastOffset) + 1n >= (to.get(e.payload.partition) ?? 0n)) left.delete(e.payload.partition);
        if (left.size === 0) resolve();
      });
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const start = from.get(batch.partition) ?? 0n;
        const end = to.get(batch.partition) ?? 0n;
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          if (offset < start) continue;
          if (offset >= end) break;
          if (m.value) apply(batch.partition, m.value);
        }
      },
    });
    for (const [partition, offset] of from) {
      if (left.has(partition)) consumer.seek({ topic, partition, offset: offset.toString() });
    }
    await caughtUp;
  } finally {
    if (timer) clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const cleanup = kafka.admin();
    await cleanup.connect().then(() => cleanup.deleteGroups([groupId])).catch((err: unknown) => logger.debug('history group not deleted', { groupId, error: String(err) }))
      .finally(() => cleanup.disconnect());
  }
}
