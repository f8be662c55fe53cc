/** The correlator stage: provider-incoming-events → customer-outgoing-deliveries. */
import type { AtLeastOnceStage, StageEnv } from '../../host/stage.js';
import { CorrelationStore, CORRELATION_TTL_SECONDS } from '../../redis/stores/correlation-store.js';
import { correlatorActor } from './correlator-actor.js';
import { CorrelationLookup } from './correlation-lookup.js';
import { MessageStateStore } from '../../redis/stores/message-state.js';
import { ReceiptsSeen } from './receipts-seen.js';
import { RestoreGuard } from '../../redis/restore-guard.js';
import { replayTopic } from '../../kafka/replay.js';

export const stage: AtLeastOnceStage = {
  kind: 'at-least-once',
  name: 'correlator',
  topic: (t) => t.providerEvents,
  window: () => 64,
  // Most receipts are correlated by the supplier they arrive at.
  fetch: 'prompt',
  recordTimeoutMs: () => 120000,
  partitionActor: (_partition, env) => correlatorActor({
    writer: env.writer, topics: env.topics, nodeId: env.nodeId,
    correlation: correlationLookup(env),
    states: new MessageStateStore(env.redis, env.config.redis.keyPrefix, env.config.session.messageStateTtlSeconds),
    seen: new ReceiptsSeen(env.redis, env.config.redis.keyPrefix),
  }),
};

function correlationLookup(env: StageEnv): CorrelationLookup {
  const store = new CorrelationStore(env.redis, env.config.redis.keyPrefix, CORRELATION_TTL_SECONDS);
  const guard = new RestoreGuard(env.redis, {
    sentinelKey: store.sentinelKey, owner: `${env.nodeId}/w${env.workerIndex}`, lockMs: 60000, logger: env.log,
    rebuild: () => replayTopic(env.kafka, env.topics.correlations, (records) => store.restore(records), { timeoutMs: 55000, logger: env.log }),
  });
  return new CorrelationLookup(store, guard, [50, 100, 200, 500, 1000, 2000, 5000]);
}
