/**
 * StageConsumer: a stage's Kafka mailbox. Reads its topic in a consumer group, hands each
 * record to the stage, and commits an offset only once that record and every earlier one in
 * its partition were handled (at-least-once; a crash replays from the last commit).
 *
 * Within a partition up to `window` records are handled at once (a supplier keeps a window of
 * submits open to its provider); their offsets are still resolved in order.
 */
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { groupMember } from './group-consumer.js';

export interface StageRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  timestamp: number;
}

export type Assignment = Record<string, number[]>;

export interface StageConsumerOptions {
  groupId: string;
  topics: string[];
  /** Records handled at once per partition. */
  window: number;
  /** Partitions handled at once. */
  partitionsConcurrently: number;
  handle: (record: StageRecord) => Promise<void>;
  /** Called after every group join with this member's partitions. */
  onAssignment?: (assignment: Assignment) => void | Promise<void>;
  retry?: { initialMs: number; maxMs: number };
  sessionTimeoutMs?: number;
  logger: Logger;
}

export class StageConsumer {
  private readonly consumer: Consumer;
  private running = false;
  private assignment: Assignment = {};
  readonly stats = { handled: 0, failures: 0, lastError: null as null | { message: string; at: number }, lag: {} as Record<number, number> };

  constructor(kafka: KafkaClient, private readonly options: StageConsumerOptions) {
    this.consumer = groupMember(kafka, options, (a) => {
      this.assignment = a;
    });
  }

  get currentAssignment(): Assignment {
    return this.assignment;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) await this.consumer.subscribe({ topic, fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 500,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Stops fetching, lets in-flight records finish, commits what finished, leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  /** A record of a partition taken away by a rebalance is abandoned, not retried: its new owner reads it. */
  private holds(record: StageRecord): boolean {
    return this.assignment[record.topic]?.includes(record.partition) ?? false;
  }

  private async eachBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const messages = batch.messages;
    this.stats.lag[batch.partition] = Number(batch.offsetLag());
    const done: boolean[] = new Array<boolean>(messages.length).fill(false);
    let resolvedUpTo = 0;
    const inFlight = new Set<Promise<void>>();
    // Commits during the batch too (kafkajs only does so when autoCommitInterval has passed):
    // a batch can take seconds (a supplier paced by its provider), and whatever is handled but
    // not committed when a node dies is handled again by the next owner (sent twice).
    let committing: Promise<void> | null = null;
    const commitSoon = () => {
      if (committing) return;
      committing = p.commitOffsetsIfNecessary()
        .catch((err: unknown) => this.options.logger.debug('offset commit during a batch failed', { error: errorMessage(err), topic: batch.topic, partition: batch.partition }))
        .finally(() => { committing = null; });
    };
    const advance = () => {
      const before = resolvedUpTo;
      while (resolvedUpTo < messages.length && done[resolvedUpTo]) {
        p.resolveOffset(messages[resolvedUpTo]!.offset);
        resolvedUpTo++;
      }
      if (resolvedUpTo > before) commitSoon();
    };
    for (let i = 0; i < messages.length; i++) {
      if (!this.running || !p.isRunning() || p.isStale()) break;
      while (inFlight.size >= this.options.window) await Promise.race(inFlight);
      if (!this.running || !p.isRunning() || p.isStale()) break;
      const record = toRecord(batch.topic, batch.partition, messages[i]!);
      const task: Promise<void> = this.handleWithRetry(record, p).then((ok) => {
        if (ok) {
          done[i] = true;
          advance();
        }
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    }
    await Promise.all(inFlight);
    if (committing) await committing;
    await p.commitOffsetsIfNecessary().catch((err: unknown) =>
      this.options.logger.warn('offset commit failed; records will be handled again', { error: errorMessage(err), topic: batch.topic, partition: batch.partition }));
  }

  /** Retries a failing record until it succeeds or the partition is taken away. */
  private async handleWithRetry(record: StageRecord, p: EachBatchPayload): Promise<boolean> {
    const retry = this.options.retry ?? { initialMs: 200, maxMs: 10000 };
    let delay = retry.initialMs;
    for (;;) {
      try {
        await this.options.handle(record);
        this.stats.handled++;
        await p.heartbeat().catch(() => undefined);
        return true;
      } catch (err) {
        this.stats.failures++;
        this.stats.lastError = { message: errorMessage(err), at: Date.now() };
        this.options.logger.warn('record failed; will retry', {
          topic: record.topic, partition: record.partition, offset: record.offset, error: errorMessage(err), retryInMs: delay,
        });
        if (!this.running || !p.isRunning() || p.isStale() || !this.holds(record)) return false;
        await sleep(delay);
        await p.heartbeat().catch(() => undefined);
        if (!this.running || !p.isRunning() || p.isStale() || !this.holds(record)) return false;
        delay = Math.min(retry.maxMs, delay * 2);
      }
    }
  }
}

function toRecord(topic: string, partition: number, m: KafkaMessage): StageRecord {
  return {
    topic, partition, offset: m.offset,
    key: m.key ? m.key.toString() : null,
    value: m.value ?? Buffer.alloc(0),
    timestamp: Number(m.timestamp),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
