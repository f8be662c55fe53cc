/**
 * Reads one partition of a compacted changelog topic from its start to its end, committed
 * records only (read_committed), to rebuild a stateful stage's state before it processes.
 * kafkajs cannot assign partitions by hand, so a throwaway consumer group is used and the
 * other partitions are paused; the group is deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaClient } from './client.js';
import { TimeoutError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

export async function restorePartition(
  kafka: KafkaClient,
  topic: string,
  partition: number,
  apply: (key: string, value: Buffer | null) => void,
  logger: Logger,
  timeoutMs = 120000,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let high: bigint;
  let low: bigint;
  let partitions: number[];
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    partitions = offsets.map((o) => o.partition);
    const mine = offsets.find((o) => o.partition === partition);
    high = BigInt(mine?.high ?? '0');
    low = BigInt(mine?.low ?? '0');
  } finally {
    await admin.disconnect();
  }
  if (high <= low) return 0;

  const groupId = `${topic}.restore.${partition}.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 10000, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const caughtUp = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`changelog ${topic}[${partition}] not restored within ${timeoutMs} ms`)), timeoutMs);
      // lastOffset counts transaction markers too, so this fires even when the log ends in one.
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        if (e.payload.partition === partition && BigInt(e.payload.lastOffset) + 1n >= high) resolve();
      });
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      const others = partitions.filter((p) => p !== partition);
      if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== partition) return;
        for (const m of batch.messages) {
          apply(m.key ? m.key.toString() : '', m.value);
          count++;
        }
      },
    });
    await caughtUp;
  } finally {
    if (timer) clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const cleanup = kafka.admin();
    await cleanup.connect().then(() => cleanup.deleteGroups([groupId])).catch((err: unknown) =>
      logger.debug('restore group not deleted', { groupId, error: errorMessage(err) })).finally(() => cleanup.disconnect());
  }
  return count;
}
