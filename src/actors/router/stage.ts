/** The router stage: customer-incoming-messages → provider-outgoing-messages. */
import type { AtLeastOnceStage } from '../../runtime/stage.js';
import type { ActorSpec } from '../../runtime/actor.js';
import type { RecordMessage } from '../stage-message.js';
import { routerActor } from './router-actor.js';

export const stage: AtLeastOnceStage = {
  kind: 'at-least-once',
  name: 'router',
  topic: (t) => t.messages,
  window: () => 64,
  recordTimeoutMs: () => 60000,
  partitionActor: (_partition, env) => routerActor({
    config: env.config, writer: env.writer, topics: env.topics, nodeId: env.nodeId,
    providerPartitions: env.config.kafka.partitions.providerOutgoing,
  }) as ActorSpec<unknown, RecordMessage>,
};
