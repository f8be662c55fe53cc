/** The router stage: customer-incoming-messages → provider-outgoing-messages. */
import type { AtLeastOnceStage } from '../../runtime/stage.js';
import type { ActorSpec } from '../../runtime/actor.js';
import type { RecordMessage } from '../stage-message.js';
import { routerActor } from './router-actor.js';
import { AvailabilityCache } from './availability-cache.js';
import { BindStateStore } from '../supplier/bind-state.js';

export const stage: AtLeastOnceStage = {
  kind: 'at-least-once',
  name: 'router',
  topic: (t) => t.messages,
  window: () => 64,
  recordTimeoutMs: () => 60000,
  partitionActor: (_partition, env) => routerActor({
    config: env.config, writer: env.writer, topics: env.topics, nodeId: env.nodeId,
    providerPartitions: env.config.kafka.partitions.providerOutgoing,
    availability: new AvailabilityCache(new BindStateStore(env.redis, env.config.redis.keyPrefix), () => env.config.providers.map((p) => p.id), env.log),
  }) as ActorSpec<unknown, RecordMessage>,
  reconfigure: (config) => ({ type: 'reload', config }),
};
