/**
 * StageConsumer: a stage's Kafka mailbox. Reads its topic in a consumer group, hands each
 * record to the stage, and commits an offset only once that record and every earlier one in
 * its partition were handled (at-least-once; a crash replays from the last commit).
 *
 * Within a partition up to `window` records are handled at once (a supplier keeps a window of
 * submits open to its provider); their offsets are still resolved in order.
 *
 * A record that fails for its own content (isRecordFault) is tried `maxRecordFailures` times,
 * then handed to `deadLetter` and counts as handled: its offset commits in order with the
 * others and the partition goes on. Any other failure (the infrastructure) is retried for as
 * long as the partition is ours.
 *
 * Offsets commit at most every COMMIT_EVERY_MS (and when the member stops or learns of a
 * rebalance), not after every batch as kafkajs's autoCommit does: with batches of a record or
 * two at moderate rates that was an OffsetCommit request per batch per stage, four records of
 * __consumer_offsets per message. What a dead member handled in its last half second is
 * handled again by the next owner, as anything uncommitted always was; every stage tells a
 * repeat (the supplier's sent memory, the correlator's receipt marker, the router by the
 * supplier's, the delivery's customer by its at-least-once promise).
 */
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { errorMessage, isRecordFault } from '../errors.js';
import type { Logger } from '../log.js';
import { groupMember, type Assignment, type FetchMode } from './group-consumer.js';
import { InOrderOffsets } from './in-order-offsets.js';
import { backoffDelay } from '../backoff.js';
import { toStageRecord, type StageRecord } from './stage-record.js';

export type { StageRecord } from './stage-record.js';

export interface StageConsumerOptions {
  groupId: string;
  topics: string[];
  /** Records handled at once per partition. */
  window: number;
  /** Partitions handled at once. */
  partitionsConcurrently: number;
  handle: (record: StageRecord) => Promise<void>;
  /** Tries of a record failing for its own content before it is dead-lettered. */
  maxRecordFailures: number;
  /** Sets a record aside (the dead-letter topic); rejects when that could not be written. */
  deadLetter: (record: StageRecord, error: unknown, attempts: number) => Promise<void>;
  /** Called after every group join with this member's partitions. */
  onAssignment?: (assignment: Assignment) => void | Promise<void>;
  /** How the member fetches (group-consumer.ts); default `batched`. */
  fetch?: FetchMode;
  retry?: { initialMs: number; maxMs: number };
  sessionTimeoutMs?: number;
  logger: Logger;
}

/** The longest a handled record waits for its offset to commit while its member lives. */
export const COMMIT_EVERY_MS = 500;

export class StageConsumer {
  private readonly consumer: Consumer;
  private running = false;
  /** Commits what the last batches left uncommitted, COMMIT_EVERY_MS after the first of them ended. */
  private commitTimer: NodeJS.Timeout | null = null;
  /** The newest batch's payload: its commit functions serve this member's generation. */
  private lastPayload: EachBatchPayload | null = null;
  private assignment: Assignment = {};
  readonly stats = {
    handled: 0, failures: 0, deadLettered: 0, batches: 0, commits: 0, fetches: 0,
    lastError: null as null | { message: string; at: number }, lag: {} as Record<number, number>,
  };

  constructor(kafka: KafkaClient, private readonly options: StageConsumerOptions) {
    this.consumer = groupMember(kafka, options, (a) => {
      this.assignment = a;
    });
    // Before kafkajs rejoins: the coordinator still takes this generation's commits.
    this.consumer.on(this.consumer.events.REBALANCING, () => void this.flush('rebalancing'));
    this.consumer.on(this.consumer.events.COMMIT_OFFSETS, () => void this.stats.commits++);
    this.consumer.on(this.consumer.events.FETCH, () => void this.stats.fetches++);
  }

  get currentAssignment(): Assignment {
    return this.assignment;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) await this.consumer.subscribe({ topic, fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      autoCommitInterval: COMMIT_EVERY_MS,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Stops fetching, lets in-flight records finish, commits what finished, leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    // What finished before now; a batch still running commits the rest as it ends.
    await this.flush('stopping');
    await this.consumer.disconnect();
  }

  /** Commits every offset resolved and not yet committed (nothing to do: no request). */
  private async flush(why: string): Promise<void> {
    const p = this.lastPayload;
    if (!p) return;
    try {
      const offsets = p.uncommittedOffsets();
      if (offsets.topics.length > 0) await p.commitOffsetsIfNecessary(offsets);
    } catch (err) {
      // Refused once a rebalance moved on: expected then, worth a warning otherwise.
      const log = why === 'rebalancing' ? this.options.logger.debug : this.options.logger.warn;
      log.call(this.options.logger, 'offset commit failed; records will be handled again', { why, error: errorMessage(err) });
    }
  }

  private commitLater(): void {
    if (this.commitTimer || !this.running) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      void this.flush('interval');
    }, COMMIT_EVERY_MS);
  }

  /** A record of a partition taken away by a rebalance is abandoned, not retried: its new owner reads it. */
  private holds(record: StageRecord): boolean {
    return this.assignment[record.topic]?.includes(record.partition) ?? false;
  }

  private async eachBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    const messages = batch.messages;
    this.lastPayload = p;
    this.stats.batches++;
    this.stats.lag[batch.partition] = Number(batch.offsetLag());
    const order = new InOrderOffsets(messages.map((m) => m.offset));
    const inFlight = new Set<Promise<void>>();
    // Commits during the batch too (when COMMIT_EVERY_MS has passed since the last commit):
    // a batch can take seconds (a supplier paced by its provider), and whatever is handled but
    // not committed when a node dies is handled again by the next owner (sent twice).
    let committing: Promise<void> | null = null;
    const commitSoon = () => {
      if (committing) return;
      committing = p.commitOffsetsIfNecessary()
        .catch((err: unknown) => {
          // Out of the group's favour (a moved coordinator, a rebalance): what this batch handles
          // from now on cannot be committed and will be handled again by the partition's next
          // owner, so take no more of it; kafkajs rejoins once the batch returns.
          if (outOfGroup(err)) gone.stale = true;
          this.options.logger.debug('offset commit during a batch failed', { error: errorMessage(err), topic: batch.topic, partition: batch.partition, stopping: gone.stale });
        })
        .finally(() => { committing = null; });
    };
    const gone = { stale: false };
    const advance = (i: number) => {
      const ready = order.finish(i);
      for (const offset of ready) p.resolveOffset(offset);
      if (ready.length > 0) commitSoon();
    };
    // No heartbeat timer here: a fault run with one beside every batch took 900 provider
    // duplicates when a broker's death moved the group coordinator (commits failed for 30 s
    // while the batch went on); records still heartbeat as each one finishes or is retried.
    await this.handleBatch(p, messages, inFlight, advance, gone);
    if (committing) await committing;
    // Stopping: everything handled commits now. Otherwise if the interval passed, else soon.
    if (!this.running) return this.flush('stopping');
    await p.commitOffsetsIfNecessary().catch((err: unknown) =>
      this.options.logger.warn('offset commit failed; records will be handled again', { error: errorMessage(err), topic: batch.topic, partition: batch.partition }));
    this.commitLater();
  }

  private async handleBatch(
    p: EachBatchPayload, messages: KafkaMessage[], inFlight: Set<Promise<void>>, advance: (i: number) => void, gone: { stale: boolean },
  ): Promise<void> {
    const { batch } = p;
    for (let i = 0; i < messages.length; i++) {
      if (!this.running || !p.isRunning() || p.isStale() || gone.stale) break;
      while (inFlight.size >= this.options.window) await Promise.race(inFlight);
      if (!this.running || !p.isRunning() || p.isStale() || gone.stale) break;
      const record = toStageRecord(batch.topic, batch.partition, messages[i]!);
      const task: Promise<void> = this.handleWithRetry(record, p, gone).then((ok) => {
        if (ok) advance(i);
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    }
    await Promise.all(inFlight);
  }

  /**
   * Retries a failing record until it succeeds, is dead-lettered, or the partition is taken
   * away (false: not handled here, its new owner reads it).
   */
  private async handleWithRetry(record: StageRecord, p: EachBatchPayload, gone: { stale: boolean }): Promise<boolean> {
    // A heartbeat answered "rebalancing" (or "not a member"): the group waits for this member to
    // rejoin, which kafkajs does only once the batch returns. Records already started finish;
    // no new one starts, so a slow batch (a paced supplier, deliveries waiting on a stalled
    // node) does not hold the whole group in PreparingRebalance until its timeout.
    const beat = () => p.heartbeat().catch((err: unknown) => {
      if (outOfGroup(err)) gone.stale = true;
    });
    const retry = this.options.retry ?? { initialMs: 200, maxMs: 10000 };
    let tries = 0;
    let contentFailures = 0;
    let deadLetterError: unknown = null;
    for (;;) {
      try {
        if (deadLetterError !== null) {
          await this.options.deadLetter(record, deadLetterError, contentFailures);
          this.stats.deadLettered++;
          this.options.logger.error('record dead-lettered', {
            topic: record.topic, partition: record.partition, offset: record.offset, attempts: contentFailures, error: errorMessage(deadLetterError),
          });
        } else {
          await this.options.handle(record);
        }
        this.stats.handled++;
        await beat();
        return true;
      } catch (err) {
        this.stats.failures++;
        this.stats.lastError = { message: errorMessage(err), at: Date.now() };
        if (deadLetterError === null && isRecordFault(err)) {
          contentFailures++;
          if (contentFailures >= this.options.maxRecordFailures) {
            deadLetterError = err;
            continue;
          }
        }
        this.options.logger.warn(deadLetterError === null ? 'record failed; will retry' : 'dead letter not written; will retry', {
          topic: record.topic, partition: record.partition, offset: record.offset, error: errorMessage(err), retryInMs: backoffDelay(tries, retry),
          recordFault: isRecordFault(err),
        });
        if (!this.running || !p.isRunning() || p.isStale() || !this.holds(record)) return false;
        await sleep(backoffDelay(tries++, retry));
        await beat();
        if (!this.running || !p.isRunning() || p.isStale() || !this.holds(record)) return false;
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** kafkajs errors (by their protocol type) that mean this member's commits no longer count. */
const OUT_OF_GROUP = new Set([
  'NOT_COORDINATOR_FOR_GROUP', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION',
]);

function outOfGroup(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' && OUT_OF_GROUP.has(type);
}
