/**
 * The Kafka-backed mailbox of an exactly-once stage. Each assigned partition becomes an actor
 * that first fences the partition's previous owner (its transactional producer), then restores
 * its state from the changelog partition, and only then processes: each batch is transformed
 * and its outputs, changelog writes and input offsets are committed in one transaction. A
 * failed transaction, like any thrown error, restarts the actor: the state the batch (or tick)
 * may have updated in place is dropped, the actor fences and restores from the changelog
 * again, and the batch is fetched again. So nothing of an aborted transaction stays in state.
 *
 * A batch that fails for a record's content (isRecordFault) `stages.maxRecordFailures` times
 * is then taken one record per transaction; the record that fails alone is written to the
 * dead letters in a transaction with its offset, and the actor restarts (the failed process
 * may have changed the state) to go on after it.
 */
import { BatchConsumer, type BatchMeta } from '../kafka/batch-consumer.js';
import { PartitionTransactor } from '../kafka/transactor.js';
import { restorePartition } from '../kafka/changelog.js';
import { committedOffset } from '../kafka/offsets.js';
import type { StageRecord } from '../kafka/stage-consumer.js';
import type { ActorSpec } from '../runtime/actor.js';
import type { ActorSystem } from '../runtime/system.js';
import { PartitionActors } from '../runtime/partition-actors.js';
import { groupIdFor, stageStats, type ExactlyOnceStage, type StageEnv } from './stage.js';
import type { StageStats } from './threads/protocol.js';
import { errorMessage, isRecordFault, RecordError } from '../errors.js';
import { deadLetterOutputs } from './dead-letter.js';

type EosMessage = { type: 'batch'; records: StageRecord[]; meta: BatchMeta } | { type: 'tick' };

interface EosState<S> {
  state: S;
  transactor: PartitionTransactor;
  /** First input offset not yet reflected in `state` and the outputs. */
  nextOffset: bigint;
}

export class ExactlyOnceMailbox<S> {
  private readonly consumer: BatchConsumer;
  private readonly actors: PartitionActors<EosMessage>;
  private readonly groupId: string;
  private readonly topic: string;
  /** Per partition: the first offset of the batch that keeps failing for a record, and how often it did. */
  private readonly failing = new Map<number, { offset: string; count: number }>();
  private deadLettered = 0;

  constructor(system: ActorSystem, private readonly stage: ExactlyOnceStage<S>, private readonly env: StageEnv) {
    this.topic = stage.topic(env.topics);
    this.groupId = groupIdFor(env.config, stage.name);
    this.actors = new PartitionActors(system, stage.name, (p) => this.partitionActor(p), env.log);
    this.consumer = new BatchConsumer(env.kafka, {
      groupId: this.groupId,
      topic: this.topic,
      partitionsConcurrently: 16,
      logger: env.log.child({ stage: stage.name }),
      handleBatch: async (records, meta) => {
        const ref = await this.actors.get(meta.partition);
        await ref.ask<void>({ type: 'batch', records, meta }, 120000);
      },
      onAssignment: (a) => this.actors.reconcile(a[this.topic] ?? []),
    });
  }

  private partitionActor(partition: number): ActorSpec<EosState<S>, EosMessage> {
    const { stage, env } = this;
    const log = env.log.child({ stage: stage.name, partition });
    return {
      kind: stage.name,
      mailboxCapacity: 64,
      // Always restart, never resume: resuming would keep a state that an aborted transaction
      // may have changed (stages update it in place; see ExactlyOnceStage.process).
      supervision: { decider: () => 'restart' },
      init: async (ctx) => {
        const transactor = new PartitionTransactor(env.kafka, `${env.config.kafka.topicPrefix}${stage.name}-${partition}`, log);
        await transactor.start();
        let state = stage.init(partition, env);
        if (stage.changelogTopic) {
          const restored = await restorePartition(env.kafka, stage.changelogTopic(env.topics), partition, (key, value) => {
            state = stage.restore(state, key, value);
          }, log);
          ctx.setGauge('restoredRecords', restored);
          log.info('state restored', { records: restored });
        }
        // The consumer may have fetched its start offset before the previous owner's last
        // transaction completed; the committed offset read now (after fencing) is the truth,
        // and records before it are already in the restored state and the outputs.
        const nextOffset = await committedOffset(env.kafka, this.groupId, this.topic, partition);
        if (stage.tick) ctx.timers.startPeriodic('tick', stage.tick.everyMs(env.config), { type: 'tick' });
        return { state, transactor, nextOffset };
      },
      receive: async (s, message, ctx) => {
        if (message.type === 'tick') {
          const out = stage.tick!.run(s.state, Date.now(), env);
          await s.transactor.commit(out.outputs, null);
          return { ...s, state: out.state };
        }
        const records = message.records.filter((r) => BigInt(r.offset) >= s.nextOffset);
        ctx.setGauge('lag', message.meta.lag);
        if (records.length === 0) {
          ctx.reply(undefined);
          return s;
        }
        const f = this.failing.get(partition);
        if (f && f.offset === records[0]!.offset && f.count >= env.config.stages.maxRecordFailures) {
          const after = await this.oneByOne(s, records, partition, f.count, log);
          ctx.reply(undefined);
          return after;
        }
        let out;
        try {
          out = await stage.process(s.state, records, env);
        } catch (err) {
          if (isRecordFault(err)) this.failing.set(partition, { offset: records[0]!.offset, count: (f?.offset === records[0]!.offset ? f.count : 0) + 1 });
          throw err;
        }
        const next = BigInt(message.meta.lastOffset) + 1n;
        await s.transactor.commit(out.outputs, { groupId: this.groupId, topic: this.topic, partition, offset: next.toString() });
        this.failing.delete(partition);
        ctx.reply(undefined);
        return { ...s, state: out.state, nextOffset: next };
      },
      postStop: async (s) => {
        await s.transactor.stop();
      },
    };
  }

  /**
   * A batch that kept failing, one record per transaction: the one that fails alone goes to the
   * dead letters with its offset, and the actor restarts (by throwing) so the batch is fetched
   * again from after it, on a state restored from the changelog.
   */
  private async oneByOne(s: EosState<S>, records: StageRecord[], partition: number, attempts: number, log: StageEnv['log']): Promise<EosState<S>> {
    const { stage, env } = this;
    let current = s;
    for (const r of records) {
      const next = (BigInt(r.offset) + 1n).toString();
      let out;
      try {
        out = await stage.process(current.state, [r], env);
      } catch (err) {
        if (!isRecordFault(err)) throw err;
        await current.transactor.commit(deadLetterOutputs(stage, env, r, err, attempts), { groupId: this.groupId, topic: this.topic, partition, offset: next });
        this.failing.delete(partition);
        this.deadLettered++;
        log.error('record dead-lettered', { topic: r.topic, partition, offset: r.offset, attempts, error: errorMessage(err) });
        throw new RecordError('RECORD_SET_ASIDE', `record ${r.topic}/${partition}/${r.offset} dead-lettered; restarting on the restored state`, err);
      }
      await current.transactor.commit(out.outputs, { groupId: this.groupId, topic: this.topic, partition, offset: next });
      current = { ...current, state: out.state, nextOffset: BigInt(next) };
    }
    // Every record passed alone (the failure was of the batch as a whole): go on normally.
    this.failing.delete(partition);
    return current;
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.actors.stopAll();
  }

  stats(): StageStats {
    return stageStats(this.stage.name, this.groupId, this.actors, { ...this.consumer.stats, deadLettered: this.deadLettered });
  }
}
