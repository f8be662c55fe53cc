/** The router stage: customer-incoming-messages → provider-outgoing-messages. */
import type { AtLeastOnceStage } from '../../host/stage.js';
import { decodeMessage, routerActor, type ReloadRoutes } from './router-actor.js';
import { deadLetteredMessage } from '../failed-receipts.js';
import { availabilityOf } from './availability-cache.js';

export const stage: AtLeastOnceStage<ReloadRoutes> = {
  kind: 'at-least-once',
  name: 'router',
  topic: (t) => t.messages,
  window: () => 64,
  // Single-part messages are routed at the edge and most receipts correlated on arrival.
  fetch: 'prompt',
  recordTimeoutMs: () => 60000,
  partitionActor: (_partition, env) => routerActor({
    config: env.config, writer: env.writer, topics: env.topics, nodeId: env.nodeId,
    providerPartitions: env.config.kafka.partitions.providerOutgoing,
    availability: availabilityOf(env.redis, env.config, env.log),
  }),
  reconfigure: (config) => ({ type: 'reload', config }),
  deadLettered: (record, env) => deadLetteredMessage(env.topics, () => decodeMessage(record.value)),
};
