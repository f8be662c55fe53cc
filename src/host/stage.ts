/**
 * What a stage is: a topic it reads in a consumer group, and the actor each assigned
 * partition becomes. Stage modules export `stage: StageDefinition`; worker threads load them
 * by URL, so the set of stages (and test stages) is data, not code paths.
 */
import type { FetchMode } from '../kafka/group-consumer.js';
import type { GatewayConfig } from '../config/types.js';
import type { KafkaClient } from '../kafka/client.js';
import type { Topics } from '../kafka/topics.js';
import type { DurableWriter, OutRecord } from '../kafka/writer.js';
import type { StageRecord } from '../kafka/stage-consumer.js';
import type { Logger } from '../log.js';
import type { RedisClient } from '../redis/client.js';
import type { ActorSpec } from '../runtime/actor.js';
import type { DeliveredBy, StageStats } from './threads/protocol.js';
export type { DeliveredBy } from './threads/protocol.js';
import type { OutboxRecord } from '../domain/records.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';

/** The main thread, as a stage on a worker thread sees it. */
export interface MainLink {
  /**
   * Sends a receipt or MO over one of the customer's receiving binds: on this node when it has
   * one, else on another node that has one (session registry), or by HTTP (webhook, dlr-url);
   * rejects when none took it. Resolves with the way it went.
   */
  deliver(record: OutboxRecord): Promise<DeliveredBy | void>;
}

export interface StageEnv {
  nodeId: string;
  workerIndex: number;
  config: GatewayConfig;
  topics: Topics;
  kafka: KafkaClient;
  writer: DurableWriter;
  redis: RedisClient;
  main: MainLink;
  log: Logger;
  /** This thread's metrics (absent in specs that do not look at them). */
  metrics?: GatewayMetrics;
}

export interface RecordMessage {
  type: 'record';
  record: StageRecord;
}

/** What a stage adds when one of its records is dead-lettered. */
export interface DeadLetterOutcome {
  /** The gateway message id the record was about, when it can be read (for the lifecycle event). */
  messageId: string | null;
  /** Written with the dead letter: a failed receipt to the customer who is owed one. */
  outputs: OutRecord[];
}

/**
 * Each record handled at least once; its offset commits after the partition actor answered.
 * `M` is every message the partition actor takes: the records, and what `revoked` and
 * `reconfigure` tell it.
 */
export interface AtLeastOnceStage<M extends { type: string } = RecordMessage> {
  kind: 'at-least-once';
  name: string;
  topic(topics: Topics): string;
  /** Records of one partition in flight at once (1 keeps strict order). */
  window(config: GatewayConfig): number;
  /** `prompt` for a stage most messages skip (see FetchMode); default `batched`. */
  fetch?: FetchMode;
  recordTimeoutMs(config: GatewayConfig): number;
  retry?(config: GatewayConfig): { initialMs: number; maxMs: number };
  /** The actor an assigned partition becomes; stopped (drained) when the partition is revoked. */
  partitionActor(partition: number, env: StageEnv): ActorSpec<unknown, RecordMessage | M>;
  /**
   * Told to a partition actor when its partition is revoked, before it drains what it took:
   * a stage whose records wait long (a supplier's queue at its provider's pace) can drop what
   * it has not started, which the partition's new owner is about to handle.
   */
  revoked?(): M;
  /**
   * The message every live partition actor is told when the node's configuration is reloaded
   * at runtime (actors started later get the new configuration through `env.config`).
   */
  reconfigure?(config: GatewayConfig): M;
  /**
   * What goes with a record of this stage into the dead letters (a failed receipt owed to a
   * customer). Without it, the message id is looked for in the record's JSON (`id`,
   * `messageId`, `message.id`) and nothing else is written.
   */
  deadLettered?(record: StageRecord, env: StageEnv): DeadLetterOutcome;
}

export interface Transformed<S> {
  state: S;
  /** Output records, changelog writes included; written in the same transaction as the offsets. */
  outputs: OutRecord[];
}

/**
 * Consume-transform-produce in one Kafka transaction per batch: outputs, changelog writes and
 * the input offsets commit together or not at all. State is restored from the changelog
 * partition (same number as the input partition) before the first batch.
 */
export interface ExactlyOnceStage<S> {
  kind: 'exactly-once';
  name: string;
  topic(topics: Topics): string;
  changelogTopic?(topics: Topics): string;
  init(partition: number, env: StageEnv): S;
  restore(state: S, key: string, value: Buffer | null): S;
  /**
   * May update `state` in place and return it: a state whose transaction did not commit is
   * never used again. When the commit fails (or process throws) the partition actor restarts:
   * it fences the partition's transactional id, restores from the changelog (which holds
   * exactly the committed writes) and re-reads the committed input offset, and the batch is
   * fetched again. Copying a large state per batch, or an undo log in every stage, would cost
   * on every batch what this costs only on the rare abort (a broker failover, a fenced zombie).
   */
  process(state: S, records: StageRecord[], env: StageEnv): Transformed<S> | Promise<Transformed<S>>;
  /** Periodic work without input (timeouts), committed the same way; may update `state` in place likewise. */
  tick?: { everyMs(config: GatewayConfig): number; run(state: S, now: number, env: StageEnv): Transformed<S> };
}

/**
 * A stage module's export. The worker loads stages by URL, so it sees them only through this
 * union: each stage's state and message types stay its own (checked where it is defined).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StageDefinition = AtLeastOnceStage<any> | ExactlyOnceStage<any>;

/** What the inspector shows of one stage on one thread. */
export function stageStats(
  stage: string, groupId: string, actors: { partitions(): number[]; diedOnTheirOwn: number },
  consumer: Pick<StageStats, 'handled' | 'failures' | 'deadLettered' | 'lastError' | 'lag'>,
): StageStats {
  return {
    stage, groupId, assignment: actors.partitions(), handled: consumer.handled, failures: consumer.failures,
    deadLettered: consumer.deadLettered, actorDeaths: actors.diedOnTheirOwn, lastError: consumer.lastError, lag: { ...consumer.lag },
  };
}

export function groupIdFor(config: GatewayConfig, stage: string): string {
  return `${config.kafka.topicPrefix}${stage}`;
}
