/** The delivery stage: customer-outgoing-deliveries → the customer's binds (main thread). */
import type { AtLeastOnceStage } from '../../runtime/stage.js';
import type { ActorSpec } from '../../runtime/actor.js';
import type { RecordMessage } from '../stage-message.js';
import { deliveryActor } from './delivery-actor.js';

export const stage: AtLeastOnceStage = {
  kind: 'at-least-once',
  name: 'delivery',
  topic: (t) => t.deliveries,
  // One at a time per partition: a customer's receipts go out in the order they were produced.
  window: () => 1,
  recordTimeoutMs: (c) => c.delivery.responseTimeoutMs * 2,
  retry: (c) => ({ initialMs: 100, maxMs: c.delivery.retryIntervalMs }),
  partitionActor: (_partition, env) => deliveryActor({
    writer: env.writer, topics: env.topics, nodeId: env.nodeId, main: env.main,
  }) as ActorSpec<unknown, RecordMessage>,
};
