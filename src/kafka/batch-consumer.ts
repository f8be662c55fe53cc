/**
 * BatchConsumer: the input side of an exactly-once stage. Hands each fetched batch of a
 * partition to `handleBatch`, which commits the input offsets inside its own transaction;
 * this consumer never commits. When the handler fails, the batch's offsets are not resolved,
 * so kafkajs fetches the same records again.
 */
import type { Consumer } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { toStageRecord, type StageRecord } from './stage-record.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { groupMember, type Assignment } from './group-consumer.js';

export interface BatchMeta {
  partition: number;
  /** Offset of the last record handed over (the transaction commits lastOffset + 1). */
  lastOffset: string;
  lag: number;
}

export interface BatchConsumerOptions {
  groupId: string;
  topic: string;
  partitionsConcurrently: number;
  handleBatch: (records: StageRecord[], meta: BatchMeta) => Promise<void>;
  onAssignment?: (assignment: Assignment) => void | Promise<void>;
  retryDelayMs?: number;
  sessionTimeoutMs?: number;
  logger: Logger;
}

export class BatchConsumer {
  private readonly consumer: Consumer;
  private assignment: Assignment = {};
  readonly stats = { handled: 0, failures: 0, lastError: null as null | { message: string; at: number }, lag: {} as Record<number, number> };

  constructor(kafka: KafkaClient, private readonly options: BatchConsumerOptions) {
    this.consumer = groupMember(kafka, options, (a) => {
      this.assignment = a;
    });
  }

  get currentAssignment(): Assignment {
    return this.assignment;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.isEmpty() || !isRunning() || isStale()) return;
        const records = batch.messages.map((m) => toStageRecord(batch.topic, batch.partition, m));
        const last = records[records.length - 1]!.offset;
        const lag = Number(batch.offsetLag());
        this.stats.lag[batch.partition] = lag;
        try {
          await this.options.handleBatch(records, { partition: batch.partition, lastOffset: last, lag });
          resolveOffset(last);
          this.stats.handled += records.length;
        } catch (err) {
          this.stats.failures++;
          this.stats.lastError = { message: errorMessage(err), at: Date.now() };
          this.options.logger.warn('batch not committed; it will be fetched again', {
            topic: batch.topic, partition: batch.partition, from: records[0]!.offset, to: last, error: errorMessage(err),
          });
          await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 500));
        }
        await heartbeat().catch(() => undefined);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
