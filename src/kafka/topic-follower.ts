/**
 * Reads a small topic from its beginning and keeps following it: what every node does with the
 * live directory of customers and providers. `start` resolves once the records that were in the
 * topic when it began have been handed over (the node starts serving only with them); later
 * records follow as they are written. Its consumer group is this reader's alone (every node
 * reads every record) and is deleted at stop.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaClient } from './client.js';
import { TimeoutError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

export interface FollowedRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
}

export class TopicFollower {
  private consumer: ReturnType<KafkaClient['consumer']> | null = null;
  private readonly groupId: string;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly topic: string,
    private readonly logger: Logger,
    reader: string,
  ) {
    this.groupId = `${topic}.follow.${reader}.${randomUUID()}`;
  }

  async start(onRecords: (records: FollowedRecord[]) => void, timeoutMs = 60000): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    const pending = new Map<number, bigint>();
    try {
      // A topic created a moment ago can still answer NOT_LEADER while its leader settles.
      for (let attempt = 1; ; attempt++) {
        try {
          for (const o of await admin.fetchTopicOffsets(this.topic)) if (BigInt(o.high) > BigInt(o.low)) pending.set(o.partition, BigInt(o.high) - 1n);
          break;
        } catch (err) {
          if (attempt >= 50) throw err;
          this.logger.debug('topic offsets not known yet; asking again', { topic: this.topic, error: errorMessage(err) });
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      await admin.disconnect();
    }
    let count = 0;
    let failure: unknown;
    // Small waits: a change written by an operator reaches every node within a second.
    const consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 10000, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const records = batch.messages.map((m) => ({ partition: batch.partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value }));
        try {
          onRecords(records);
        } catch (err) {
          failure ??= err;
          this.logger.error('followed records not taken', { topic: this.topic, error: errorMessage(err) });
        }
        count += records.length;
        const last = pending.get(batch.partition);
        const lastSeen = records.length > 0 ? BigInt(records[records.length - 1]!.offset) : -1n;
        if (last !== undefined && lastSeen >= last) pending.delete(batch.partition);
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (pending.size > 0 && failure === undefined) {
      if (Date.now() > deadline) throw new TimeoutError(`${this.topic} not read to its end in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    if (failure !== undefined) throw failure;
    return count;
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    if (!consumer) return;
    await consumer.disconnect().catch(() => undefined);
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (err) {
      this.logger.debug('follower group not deleted', { groupId: this.groupId, error: errorMessage(err) });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** Writes keyed records to a topic and resolves once every in-sync replica has them (acks=all). */
export async function appendDurably(kafka: KafkaClient, topic: string, records: readonly { key: string; value: Buffer }[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value })) });
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
