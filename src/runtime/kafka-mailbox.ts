/**
 * A Kafka-backed mailbox: binds a stage actor to a topic in a consumer group. Each record is
 * asked of the actor; its offset is committed only once the actor answered, so a record whose
 * handling failed (or whose node died) is consumed again.
 */
import type { KafkaClient } from '../kafka/client.js';
import { StageConsumer, type Assignment, type StageRecord } from '../kafka/stage-consumer.js';
import type { Logger } from '../log.js';
import type { ActorRef } from './actor.js';

export interface KafkaMailboxOptions {
  groupId: string;
  topic: string;
  /** Records of one partition in flight at once (1 keeps strict order). */
  window: number;
  partitionsConcurrently: number;
  /** How long one record may take before it is retried. */
  recordTimeoutMs: number;
  retry?: { initialMs: number; maxMs: number };
  onAssignment?: (assignment: Assignment) => void | Promise<void>;
  logger: Logger;
}

export class KafkaMailbox {
  private readonly consumer: StageConsumer;

  constructor(kafka: KafkaClient, ref: ActorRef<{ type: 'record'; record: StageRecord }>, options: KafkaMailboxOptions) {
    this.consumer = new StageConsumer(kafka, {
      groupId: options.groupId,
      topics: [options.topic],
      window: options.window,
      partitionsConcurrently: options.partitionsConcurrently,
      handle: (record) => ref.ask<void>({ type: 'record', record }, options.recordTimeoutMs),
      logger: options.logger,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.onAssignment ? { onAssignment: options.onAssignment } : {}),
    });
  }

  get assignment(): Assignment {
    return this.consumer.currentAssignment;
  }

  get stats(): StageConsumer['stats'] {
    return this.consumer.stats;
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}
