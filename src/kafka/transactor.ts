/**
 * One transactional producer per input partition (kafkajs has no KIP-447, so fencing a zombie
 * owner needs the transactionalId to name the partition). `start` fences any earlier owner of
 * the same id and aborts its open transaction; `commit` writes outputs and input offsets in
 * one transaction, or aborts and throws.
 */
import { kafkajs } from './kafkajs.js';
import type { Producer } from 'kafkajs';
import type { KafkaClient } from './client.js';
import type { OutRecord } from './writer.js';
import { UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

export interface InputOffset {
  groupId: string;
  topic: string;
  partition: number;
  /** The next offset to read (last handled + 1). */
  offset: string;
}

/** Well under the broker's default message.max.bytes (1 MiB) for one produce request. */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Splits records into runs whose keys and values add up to at most `maxBytes` (at least one record each). */
export function slices(records: readonly OutRecord[], maxBytes: number): OutRecord[][] {
  const out: OutRecord[][] = [];
  let current: OutRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = r.key.length + (r.value === null ? 0 : typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length) + 64;
    if (current.length > 0 && bytes + size > maxBytes) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export class PartitionTransactor {
  private readonly producer: Producer;
  readonly stats = { committed: 0, aborted: 0 };

  constructor(kafka: KafkaClient, readonly transactionalId: string, private readonly logger: Logger) {
    this.producer = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60000,
      allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    // The first transaction() runs InitProducerId: the coordinator bumps the epoch, fencing the
    // previous owner, and completes (aborts) whatever transaction it left open.
    const tx = await this.producer.transaction();
    await tx.abort();
  }

  async commit(outputs: OutRecord[], offsets: InputOffset | null): Promise<void> {
    if (outputs.length === 0 && offsets === null) return;
    const tx = await this.producer.transaction();
    try {
      // A fetched batch can hold thousands of records; one produce request for all of their
      // outputs would exceed the broker's message.max.bytes, so they go in slices.
      for (const slice of slices(outputs, MAX_REQUEST_BYTES)) {
        const byTopic = new Map<string, { key: string; value: string | Buffer | null; partition?: number }[]>();
        for (const r of slice) {
          let list = byTopic.get(r.topic);
          if (!list) byTopic.set(r.topic, (list = []));
          list.push({ key: r.key, value: r.value, ...(r.partition === undefined ? {} : { partition: r.partition }) });
        }
        await tx.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      }
      if (offsets) {
        await tx.sendOffsets({
          consumerGroupId: offsets.groupId,
          topics: [{ topic: offsets.topic, partitions: [{ partition: offsets.partition, offset: offsets.offset }] }],
        });
      }
      await tx.commit();
      this.stats.committed++;
    } catch (err) {
      this.stats.aborted++;
      await tx.abort().catch((abortErr: unknown) =>
        this.logger.warn('transaction abort failed', { transactionalId: this.transactionalId, error: errorMessage(abortErr) }));
      throw new UnavailableError('KAFKA_TRANSACTION_FAILED', `transaction ${this.transactionalId} aborted: ${errorMessage(err)}`, err);
    }
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }
}
