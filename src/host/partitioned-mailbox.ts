/**
 * The Kafka-backed mailbox of an at-least-once stage: each assigned partition becomes an actor;
 * each record is asked of its partition's actor and its offset commits once the actor answered
 * (and every earlier record of the partition did). A failed or abandoned record is consumed
 * again, by this thread or by whichever thread the partition moves to; one that keeps failing
 * for its own content goes to the dead letters (dead-letter.ts) and the partition moves on.
 */
import { StageConsumer } from '../kafka/stage-consumer.js';
import type { ActorSystem } from '../runtime/system.js';
import { PartitionActors } from '../runtime/partition-actors.js';
import { groupIdFor, stageStats, type AtLeastOnceStage, type RecordMessage, type StageEnv } from './stage.js';
import type { StageStats } from './threads/protocol.js';
import type { GatewayConfig } from '../config/types.js';
import { deadLetterWriter } from './dead-letter.js';
import type { ActorSpec } from '../runtime/actor.js';
import { resolveStrategy } from '../runtime/supervision.js';
import { isRecordFault } from '../errors.js';

/**
 * A record that receive cannot read is refused (its ask rejected, so the consumer tries it
 * again or dead-letters it) without restarting the actor: a restart would drop every other
 * record in flight and spend the restart budget on bad input. Other failures go to the
 * actor's own supervision.
 */
function resumeOnRecordFaults<S, M>(spec: ActorSpec<S, M>): ActorSpec<S, M> {
  const own = resolveStrategy(spec.supervision).decider;
  return { ...spec, supervision: { ...spec.supervision, decider: (err, info) => (info.phase === 'receive' && isRecordFault(err) ? 'resume' : own(err, info)) } };
}

export class PartitionedMailbox<M extends { type: string }> {
  private readonly consumer: StageConsumer;
  private readonly actors: PartitionActors<RecordMessage | M>;
  private readonly groupId: string;

  constructor(system: ActorSystem, private readonly stage: AtLeastOnceStage<M>, env: StageEnv) {
    const topic = stage.topic(env.topics);
    this.groupId = groupIdFor(env.config, stage.name);
    this.actors = new PartitionActors(system, stage.name, (p) => resumeOnRecordFaults(stage.partitionActor(p, env)), env.log, stage.revoked?.());
    const timeout = stage.recordTimeoutMs(env.config);
    this.consumer = new StageConsumer(env.kafka, {
      groupId: this.groupId,
      topics: [topic],
      window: stage.window(env.config),
      ...(stage.fetch ? { fetch: stage.fetch } : {}),
      partitionsConcurrently: 16,
      logger: env.log.child({ stage: stage.name }),
      ...(stage.retry ? { retry: stage.retry(env.config) } : {}),
      maxRecordFailures: env.config.stages.maxRecordFailures,
      deadLetter: deadLetterWriter(stage, env),
      handle: async (record) => {
        const ref = await this.actors.get(record.partition);
        await ref.ask<void>({ type: 'record', record }, timeout);
      },
      onAssignment: (a) => this.actors.reconcile(a[topic] ?? []),
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  /** Passes a runtime configuration change to every partition actor, if the stage takes one. */
  reconfigure(config: GatewayConfig): number {
    const message = this.stage.reconfigure?.(config);
    return message === undefined ? 0 : this.actors.tellAll(message);
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.actors.stopAll();
  }

  stats(): StageStats {
    return stageStats(this.stage.name, this.groupId, this.actors, this.consumer.stats);
  }
}
