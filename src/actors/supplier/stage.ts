/**
 * The supplier stage: provider-outgoing-messages → providers. The actor of partition p owns the
 * binds of the providers whose traffic goes to p, so each provider bind has exactly one owner
 * in the cluster: whoever holds the partition.
 */
import type { AtLeastOnceStage, StageEnv } from '../../host/stage.js';
import type { GatewayConfig } from '../../config/types.js';
import { correlationsState } from '../correlations-restore.js';
import { BindStateStore } from '../../redis/stores/bind-state.js';
import { ProviderControls } from '../../control/provider-controls.js';
import { suppliersActor, type SuppliersControl } from './suppliers-actor.js';
import { deadLetteredMessage } from '../failed-receipts.js';
import { decodeOutgoing } from './decode.js';
import { compileNumberOwners } from '../../domain/routing/number-owners.js';
import { ReceiptsSeen } from '../correlator/receipts-seen.js';
import { RecentCorrelations } from './recent-correlations.js';
import { MessageStateStore } from '../../redis/stores/message-state.js';

/**
 * A record is retried by the supplier itself until its age limit; the stage's own timeout
 * only catches a supplier that never answers, so it lies beyond the longest retry.
 */
function recordTimeoutMs(c: GatewayConfig): number {
  return Math.max(...c.providers.map((p) => p.maxRetryAgeMs + 4 * p.responseTimeoutMs)) + 300000;
}

export const stage: AtLeastOnceStage<SuppliersControl> = {
  kind: 'at-least-once',
  name: 'supplier',
  topic: (t) => t.providerOutgoing,
  // Enough records in flight to fill the windows of the provider binds on one partition: a
  // record holds a slot of the bind only from submit_sm to its answer, and about as long again
  // before (its claim) and twice as long after (its correlation's journal write, settling).
  window: (c) => Math.max(...c.providers.map((p) => p.window)) * 4,
  recordTimeoutMs,
  partitionActor: (partition, env) => suppliersActor(partition, supplierDeps(env)),
  // Submits still queued when the partition moves are dropped: the new owner sends them, and
  // sending them here too would reach the provider twice.
  revoked: () => ({ type: 'revoked' }),
  // Providers added, removed or changed (a reload, the live directory); a rate change keeps the bind up.
  reconfigure: (config) => ({ type: 'reconfigure', config }),
  deadLettered: (record, env) => deadLetteredMessage(env.topics, () => decodeOutgoing(record.value).message),
};

function supplierDeps(env: StageEnv): Parameters<typeof suppliersActor>[1] {
  // Correlations journalled to Kafka too: the correlations and the sent memory are rebuilt from
  // that journal after a Redis loss (correlations-restore.ts).
  const { correlations: correlation, sent } = correlationsState(env, true);
  return {
    config: env.config, writer: env.writer, topics: env.topics, nodeId: env.nodeId,
    correlation,
    sent,
    numberOwners: compileNumberOwners(env.config.customers),
    arrival: {
      recent: new RecentCorrelations(),
      store: correlation,
      seen: new ReceiptsSeen(env.redis, env.config.redis.keyPrefix),
      states: new MessageStateStore(env.redis, env.config.redis.keyPrefix, env.config.session.messageStateTtlSeconds),
    },
    bindStates: new BindStateStore(env.redis, env.config.redis.keyPrefix),
    controls: new ProviderControls(env.redis, env.config.redis.keyPrefix),
    providerPartitions: env.config.kafka.partitions.providerOutgoing,
    recordTimeoutMs: recordTimeoutMs(env.config),
    metrics: env.metrics,
  };
}
