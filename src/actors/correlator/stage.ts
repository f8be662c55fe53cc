/** The correlator stage: provider-incoming-events → customer-outgoing-deliveries. */
import type { AtLeastOnceStage } from '../../runtime/stage.js';
import type { ActorSpec } from '../../runtime/actor.js';
import type { RecordMessage } from '../stage-message.js';
import { CorrelationStore, CORRELATION_TTL_SECONDS } from '../supplier/correlation-store.js';
import { correlatorActor } from './correlator-actor.js';
import { MessageStateStore } from '../session/message-state.js';

export const stage: AtLeastOnceStage = {
  kind: 'at-least-once',
  name: 'correlator',
  topic: (t) => t.providerEvents,
  window: () => 64,
  recordTimeoutMs: () => 60000,
  partitionActor: (_partition, env) => correlatorActor({
    writer: env.writer, topics: env.topics, nodeId: env.nodeId,
    correlation: new CorrelationStore(env.redis, env.config.redis.keyPrefix, CORRELATION_TTL_SECONDS),
    lookupDelaysMs: [50, 100, 200, 500, 1000, 2000, 5000],
    states: new MessageStateStore(env.redis, env.config.redis.keyPrefix, env.config.session.messageStateTtlSeconds),
  }) as ActorSpec<unknown, RecordMessage>,
};
