/** The correlator stage: provider-incoming-events → customer-outgoing-deliveries. */
import type { AtLeastOnceStage, StageEnv } from '../../host/stage.js';
import { correlatorActor } from './correlator-actor.js';
import { CorrelationLookup } from './correlation-lookup.js';
import { MessageStateStore } from '../../redis/stores/message-state.js';
import { ReceiptsSeen } from './receipts-seen.js';
import { correlationsState } from '../correlations-restore.js';

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
  const { correlations, guard } = correlationsState(env, false);
  return new CorrelationLookup(correlations, guard, [50, 100, 200, 500, 1000, 2000, 5000]);
}
