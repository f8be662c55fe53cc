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
import { MAX_REQUEST_BYTES, splitRequests, topicMessages } from './request-split.js';

export interface InputOffset {
  groupId: string;
  topic: string;
  partition: number;
  /** The next offset to read (last handled + 1). */
  offset: string;
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
      for (const slice of splitRequests(outputs, { maxBytes: MAX_REQUEST_BYTES })) {
        await tx.sendBatch({ acks: -1, topicMessages: topicMessages(slice) });
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
