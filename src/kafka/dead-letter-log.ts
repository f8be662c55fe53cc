/**
 * What the operator CLI reads from and writes for the dead-letter topic (format:
 * dead-letters.ts): every record of chosen partitions, from the log start to the end each had
 * when the read began, with a throwaway consumer group (as restorePartition does: kafkajs cannot
 * assign partitions by hand); and replay, which writes a dead letter's key and value back to
 * the topic it came from with acks=all. A replayed dead letter stays where it is: the topic is a
 * log, and nothing here deletes from it.
 */
import { randomUUID } from 'node:crypto';
import { kafkajs } from './kafkajs.js';
import type { KafkaClient } from './client.js';
import { parseDeadLetter, type DeadLetter } from './dead-letters.js';
import { TimeoutError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

export interface DeadLetterEntry {
  /** Where it sits in the dead-letter topic. */
  readonly partition: number;
  readonly offset: string;
  /** The Kafka timestamp of the dead-letter record (epoch ms). */
  readonly timestamp: number;
  /** null when the record lacks the dead-letter headers (not written by deadLetterRecord). */
  readonly letter: DeadLetter | null;
}

export interface DeadLetterPartition {
  readonly partition: number;
  /** Log start offset and end (high watermark) when the read began. */
  readonly start: string;
  readonly end: string;
}

export interface DeadLetterLog {
  readonly topic: string;
  /** Every partition of the topic, read or not. */
  readonly partitions: readonly DeadLetterPartition[];
  /** The records of the partitions read, by partition then offset. */
  readonly entries: readonly DeadLetterEntry[];
}

/** The partitions of the dead-letter topic with their start and end now; null when the topic does not exist. */
export async function deadLetterPartitions(kafka: KafkaClient, topic: string): Promise<DeadLetterPartition[] | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return null;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, start: o.low, end: o.high })).sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the dead-letter topic (`only`: just those partitions). null when the topic does not
 * exist (nodes older than the dead-letter topic never created it).
 */
export async function readDeadLetterLog(
  kafka: KafkaClient, topic: string, options: { only?: readonly number[]; timeoutMs: number; logger: Logger },
): Promise<DeadLetterLog | null> {
  const partitions = await deadLetterPartitions(kafka, topic);
  if (partitions === null) return null;
  const wanted = partitions.filter((p) => (options.only === undefined || options.only.includes(p.partition)) && BigInt(p.end) > BigInt(p.start));
  if (wanted.length === 0) return { topic, partitions, entries: [] };

  // Partition -> end when the read began; a partition is done once a batch reached end - 1.
  const pending = new Map(wanted.map((p) => [p.partition, BigInt(p.end)]));
  const entries: DeadLetterEntry[] = [];
  const seen = new Set<string>();
  const groupId = `${topic}.cli.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 10000, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${topic} not read to its end within ${options.timeoutMs} ms`)), options.timeoutMs);
      const check = () => {
        if (pending.size === 0) resolve();
      };
      // lastOffset counts transaction markers too, so a partition that ends in one is done as well.
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        const end = pending.get(e.payload.partition);
        if (end !== undefined && BigInt(e.payload.lastOffset) + 1n >= end) pending.delete(e.payload.partition);
        check();
      });
      // A consumer that gives up (kafkajs restarts it after a retriable crash) would never catch up.
      consumer.on(consumer.events.CRASH, (e) => {
        if (!e.payload.restart) reject(e.payload.error);
      });
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      const others = partitions.map((p) => p.partition).filter((p) => !wanted.some((w) => w.partition === p));
      if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = wanted.find((w) => w.partition === batch.partition)?.end;
        if (end === undefined) return;
        for (const m of batch.messages) {
          if (BigInt(m.offset) >= BigInt(end)) break;
          if (seen.has(`${batch.partition}:${m.offset}`)) continue; // fetched again after a rebalance
          seen.add(`${batch.partition}:${m.offset}`);
          entries.push({
            partition: batch.partition, offset: m.offset, timestamp: Number(m.timestamp),
            letter: parseDeadLetter(m.key, m.value, m.headers ?? {}),
          });
        }
      },
    });
    await done;
  } finally {
    if (timer) clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const cleanup = kafka.admin();
    await cleanup.connect().then(() => cleanup.deleteGroups([groupId])).catch((err: unknown) =>
      options.logger.debug('dead-letter reader group not deleted', { groupId, error: errorMessage(err) })).finally(() => cleanup.disconnect());
  }
  entries.sort((a, b) => a.partition - b.partition || compareOffsets(a.offset, b.offset));
  return { topic, partitions, entries };
}

export interface Replayed {
  /** Where the copy was written. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface DeadLetterReplayer {
  /** Writes the dead letter's key and value (null ones as recorded) back to its original topic; resolves once acks=all acknowledged it. */
  replay(letter: DeadLetter): Promise<Replayed>;
  close(): Promise<void>;
}

/**
 * A producer for replays. A keyed record goes where the gateway's producers put that key (the
 * default partitioner), so the stage owning the key reads it; a record without a key goes back
 * to the partition it was read from, while the topic still has it. `missingTopics` lists the
 * original topics that no longer exist, so the caller can refuse before writing anything.
 */
export async function openReplayer(kafka: KafkaClient): Promise<DeadLetterReplayer & { missingTopics(letters: readonly DeadLetter[]): Promise<string[]> }> {
  const producer = kafka.producer({
    idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  const admin = kafka.admin();
  try {
    await producer.connect();
    await admin.connect();
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw err;
  }
  const partitionCounts = new Map<string, number>();
  const countOf = async (topic: string): Promise<number> => {
    let n = partitionCounts.get(topic);
    if (n === undefined) {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      n = meta.topics[0]?.partitions.length ?? 0;
      partitionCounts.set(topic, n);
    }
    return n;
  };
  return {
    async missingTopics(letters) {
      const existing = new Set(await admin.listTopics());
      return [...new Set(letters.map((l) => l.topic))].filter((t) => !existing.has(t));
    },
    async replay(letter) {
      const toOriginalPartition = letter.key === null && letter.partition < (await countOf(letter.topic));
      const [meta] = await producer.send({
        topic: letter.topic, acks: -1, timeout: 30000,
        messages: [{ key: letter.key, value: letter.value, ...(toOriginalPartition ? { partition: letter.partition } : {}) }],
      });
      if (!meta) throw new Error(`no acknowledgement for the write to ${letter.topic}`);
      return { topic: meta.topicName, partition: meta.partition, offset: meta.baseOffset ?? meta.offset ?? '?' };
    },
    async close() {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    },
  };
}

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
