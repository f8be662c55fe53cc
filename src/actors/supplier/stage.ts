/**
 * The supplier stage: provider-outgoing-messages → providers. The actor of partition p owns the
 * binds of the providers whose traffic goes to p, so each provider bind has exactly one owner
 * in the cluster: whoever holds the partition.
 */
import type { AtLeastOnceStage } from '../../runtime/stage.js';
import type { ActorSpec } from '../../runtime/actor.js';
import type { RecordMessage } from '../stage-message.js';
import { CorrelationStore, CORRELATION_TTL_SECONDS } from './correlation-store.js';
import { suppliersActor } from './suppliers-actor.js';
import { compileNumberOwners } from '../router/number-owners.js';

export const stage: AtLeastOnceStage = {
  kind: 'at-least-once',
  name: 'supplier',
  topic: (t) => t.providerOutgoing,
  // Enough records in flight to fill the windows of the provider binds on one partition.
  window: (c) => Math.max(...c.providers.map((p) => p.window)) * 2,
  recordTimeoutMs: () => 600000,
  partitionActor: (partition, env) => suppliersActor(partition, {
    config: env.config, writer: env.writer, topics: env.topics, nodeId: env.nodeId,
    // Journalled to Kafka too: the correlator rebuilds Redis from it after a Redis loss.
    correlation: new CorrelationStore(env.redis, env.config.redis.keyPrefix, CORRELATION_TTL_SECONDS, { writer: env.writer, topic: env.topics.correlations }),
    numberOwners: compileNumberOwners(env.config.customers),
    providerPartitions: env.config.kafka.partitions.providerOutgoing,
    recordTimeoutMs: 600000,
  }) as ActorSpec<unknown, RecordMessage>,
};
