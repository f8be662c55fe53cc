/**
 * The Kafka-backed mailbox of an exactly-once stage. Each assigned partition becomes an actor
 * that first fences the partition's previous owner (its transactional producer), then restores
 * its state from the changelog partition, and only then processes: each batch is transformed
 * and its outputs, changelog writes and input offsets are committed in one transaction. A
 * failed transaction, like any thrown error, restarts the actor: the state the batch (or tick)
 * may have updated in place is dropped, the actor fences and restores from the changelog
 * again, and the batch is fetched again. So nothing of an aborted transaction stays in state.
 */
import { BatchConsumer, type BatchMeta } from '../kafka/batch-consumer.js';
import { PartitionTransactor } from '../kafka/transactor.js';
import { restorePartition } from '../kafka/changelog.js';
import { committedOffset } from '../kafka/offsets.js';
import type { StageRecord } from '../kafka/stage-consumer.js';
import type { ActorSpec } from './actor.js';
import type { ActorSystem } from './system.js';
import { PartitionActors } from './partition-actors.js';
import { groupIdFor, type ExactlyOnceStage, type StageEnv } from './stage.js';
import type { StageStats } from './threads/protocol.js';

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

  constructor(system: ActorSystem, private readonly stage: ExactlyOnceStage<S>, private readonly env: StageEnv) {
    this.topic = stage.topic(env.topics);
    this.groupId = groupIdFor(env.config, stage.name);
    this.actors = new PartitionActors(system, stage.name, (p) => this.partitionActor(p) as ActorSpec<unknown, EosMessage>, env.log);
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
        const out = await stage.process(s.state, records, env);
        const next = BigInt(message.meta.lastOffset) + 1n;
        await s.transactor.commit(out.outputs, { groupId: this.groupId, topic: this.topic, partition, offset: next.toString() });
        ctx.reply(undefined);
        return { ...s, state: out.state, nextOffset: next };
      },
      postStop: async (s) => {
        await s.transactor.stop();
      },
    };
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.actors.stopAll();
  }

  stats(): StageStats {
    return {
      stage: this.stage.name, groupId: this.groupId, assignment: this.actors.partitions(),
      handled: this.consumer.stats.handled, failures: this.consumer.stats.failures,
      lastError: this.consumer.stats.lastError, lag: { ...this.consumer.stats.lag },
    };
  }
}
